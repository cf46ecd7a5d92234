"""Rubric files: the shipped default, a replacement in TOML or YAML, and clear errors for bad ones."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from handlers.assessment.evaluate import AT_RISK, COMMEND, RETAIN, assess
from handlers.assessment.figures import Figures
from handlers.assessment.rubric import RubricError, load_rubric
from tests.export_data import NAMED_ON, TODAY

YAML_RUBRIC = """
name: 区工会细则
commend_score: 8
retain_score: 5
criteria:
  - {figure: activity_count, min: 10, weight: 5, aspect: activities, pro_rata: false}
  - {figure: patent_count, min: 1, weight: 5}
"""


def test_default_rubric_weights_add_up_to_100() -> None:
    rubric = load_rubric()
    assert rubric.max_score == 100
    assert {c.figure for c in rubric.criteria} >= {"members", "activity_count", "outcome_count", "ledger_months"}
    # 制度完善 counts what the studio did; how long the union takes to review is no figure at all
    assert not {c.figure for c in rubric.criteria} & {"waiting_review", "waiting_fix"}


def test_yaml_rubric_replaces_the_default(tmp_path: Path) -> None:
    path = tmp_path / "rubric.yaml"
    path.write_text(YAML_RUBRIC, encoding="utf-8")
    rubric = load_rubric(path)
    assert rubric.name == "区工会细则" and len(rubric.criteria) == 2
    assert rubric.criteria[1].pro_rata is True and rubric.criteria[1].aspect == "outcomes"

    figures = Figures(starts_on=NAMED_ON, ends_on=NAMED_ON.replace(year=2028), activity_count=10, patent_count=1)
    assert assess(figures, rubric, today=TODAY).suggestion == COMMEND
    figures.activity_count = 4
    result = assess(figures, rubric, today=TODAY)
    assert (result.score, result.suggestion) == (Decimal(7), RETAIN)  # 5 × 4/10 + 5
    figures.patent_count = 0
    result = assess(figures, rubric, today=TODAY)
    assert (result.score, result.suggestion) == (Decimal(2), AT_RISK)
    assert [c.criterion.figure for c in result.shortfalls] == ["activity_count", "patent_count"]


def test_toml_rubric_with_a_ceiling(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text('[[criteria]]\nfigure = "members"\nmax = 2\nweight = 10\n', encoding="utf-8")
    rubric = load_rubric(path)
    figures = Figures(starts_on=NAMED_ON, ends_on=NAMED_ON.replace(year=2028), members=3)
    result = assess(figures, rubric, today=TODAY)
    assert [c.met for c in result.checks] == [False] and result.score == 0


@pytest.mark.parametrize(
    ("text", "suffix", "key", "needle"),
    [
        ('[[criteria]]\nfigure = "smiles"\nmin = 1\n', ".toml", "assess.rubric.unknown_figure", "smiles"),
        # the reviewer's backlog is not the studio's conduct: no rubric may score it
        (
            '[[criteria]]\nfigure = "waiting_review"\nmax = 0\n',
            ".toml",
            "assess.rubric.unknown_figure",
            "waiting_review",
        ),
        ('[[criteria]]\nfigure = "patent_count"\n', ".toml", "assess.rubric.min_or_max", "第 1 项"),
        ('[[criteria]]\nfigure = "patent_count"\nmin = -1\n', ".toml", "assess.rubric.bad_line", "min"),
        ("name = 1\n", ".toml", "assess.rubric.no_criteria", "criteria"),
        ("criteria = [\n", ".toml", "assess.rubric.syntax", "格式有误"),
        ("criteria: [a, b\n", ".yaml", "assess.rubric.syntax", "格式有误"),
    ],
)
def test_bad_rubric_says_what_is_wrong(tmp_path: Path, text: str, suffix: str, key: str, needle: str) -> None:
    path = tmp_path / f"bad{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as exc:
        load_rubric(path)
    assert exc.value.key == key
    assert needle in exc.value.text("zh_CN")
    assert str(path) in exc.value.text("en")


def test_missing_rubric_file(tmp_path: Path) -> None:
    with pytest.raises(RubricError) as exc:
        load_rubric(tmp_path / "nope.toml")
    assert exc.value.key == "assess.rubric.unreadable"
