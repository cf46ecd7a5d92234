"""`studio-bot document`: the 申报表, 推荐汇总表, 公示 and 命名名单 as a reader opens them, and bad input refused."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from tests.documents_support import OPINION, docx_text, programme_year, sheet_rows
from tests.test_web_cli import invoke
from tests.web_support import web_world


@pytest.fixture
def year_ids(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    monkeypatch.chdir(tmp_path)

    async def seed() -> tuple[int, int]:
        async with web_world(db_url, tmp_path) as ww:
            ours, theirs = await programme_year(ww)
            return ours.id, theirs.id

    return asyncio.run(seed())


def test_the_application_form_says_what_the_measures_ask(
    db_url: str, tmp_path: Path, year_ids: tuple[int, int]
) -> None:
    out = tmp_path / "form.docx"
    result = invoke(db_url, "document", "application-form", "--application", str(year_ids[0]), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "申报表" in result.output and str(out) in result.output
    text = docx_text(out)
    for shown in (
        "上海市技师创新工作室申报表",
        "张工数控创新工作室",
        "上海机床厂",
        "浦东新区总工会",
        "高级技师",
        "李明",
        "王芳",
        "赵强",
        "二号车间创新室",
        "五轴数控加工中心 2 台",
        "刀具快换装置",
        "每月组织一次技术交流，带徒 6 名。",
        "近一年活动情况（2025年4月2日至2026年4月1日）",
        "已审核通过的活动合计 3 次，9 小时。",  # the activity of 2024 is not in the past year
        OPINION,
        "经办人：周审核　日期：2026年4月10日",
        "经办人：市协审核",
    ):
        assert shown in text, shown
    enterprise = text.split("企业（工会）意见", 1)[1].splitlines()[1]
    assert enterprise == "（尚未填写）"
    doc = Document(str(out))
    normal = doc.styles["Normal"].element.rPr
    assert normal is not None and normal.rFonts is not None
    assert normal.rFonts.get(qn("w:eastAsia")) == "宋体" and normal.rFonts.get(qn("w:eastAsiaTheme")) is None
    assert normal.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    runs = [r for p in doc.paragraphs for r in p.runs if r.text]
    faces = {r._r.xpath("string(w:rPr/w:rFonts/@w:eastAsia)") for r in runs}
    assert runs and faces == {"宋体", "黑体"}


def test_the_recommendation_summary_lists_what_the_district_recommended(
    db_url: str, tmp_path: Path, year_ids: tuple[int, int]
) -> None:
    out = tmp_path / "summary.xlsx"
    args = ("document", "recommendation-summary", "--union", "浦东新区总工会", "--year", "2026", "--out", str(out))
    result = invoke(db_url, *args, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "ok": True,
        "kind": "recommendation-summary",
        "format": "xlsx",
        "title": "推荐汇总表",
        "rows": 1,
        "file": str(out),
    }
    title, header, *rows = sheet_rows(out)
    assert title[0] == "浦东新区总工会2026年度上海市技师创新工作室推荐汇总表"
    assert header[:4] == ["序号", "工作室名称", "所在企业", "领衔人"] and "推荐意见" in header
    assert rows == [[1, "张工数控创新工作室", "上海机床厂", "张工", 3, 1, date(2026, 4, 10), OPINION, "公示中"]]
    other = invoke(db_url, *args[:3], "徐汇区总工会", "--year", "2026", "--out", str(tmp_path / "xuhui.xlsx"))
    assert other.exit_code == 0 and sheet_rows(tmp_path / "xuhui.xlsx")[2:] == []  # submitted, not recommended


def test_the_notice_and_the_naming_list(db_url: str, tmp_path: Path, year_ids: tuple[int, int]) -> None:
    notice = tmp_path / "notice.docx"
    assert invoke(db_url, "document", "notice", "--year", "2026", "--out", str(notice)).exit_code == 0
    text = docx_text(notice)
    assert "关于2026年度上海市技师创新工作室拟命名名单的公示" in text
    assert "张工数控创新工作室" in text and "2026年5月6日至2026年5月12日" in text and "异议" in text
    assert "徐汇电气创新工作室" not in text and "上海市职工技术协会" in text

    sheet = tmp_path / "named.xlsx"
    result = invoke(db_url, "document", "naming-list", "--year", "2025", "--out", str(sheet))
    assert result.exit_code == 0, result.output
    title, header, *rows = sheet_rows(sheet)
    assert title[0] == "2025年度上海市技师创新工作室命名名单"
    assert header == ["序号", "工作室名称", "所在企业", "领衔人", "所属工会", "命名日期"]
    # by naming date, then in the order the studios were added
    assert [(r[0], r[1], r[5]) for r in rows] == [
        (1, "张工数控创新工作室", date(2025, 1, 1)),
        (2, "浦东电工创新工作室", date(2025, 1, 1)),
        (3, "浦东焊接创新工作室", date(2025, 3, 1)),
    ]
    assert rows[0][3] == "张工" and rows[0][4] == "浦东新区总工会"
    word = tmp_path / "named.docx"
    assert (
        invoke(db_url, "document", "naming-list", "--year", "2024", "--format", "docx", "--out", str(word)).exit_code
        == 0
    )
    assert "徐汇电气创新工作室" in docx_text(word) and "张工数控" not in docx_text(word)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("memo", "--year", "2026", "--out", "x.docx"), "没有这种文件：memo"),
        (("application-form", "--out", "x.docx"), "application-form 需要 --application 申报编号 / "),
        (
            ("application-form", "--application", "999", "--out", "x.docx"),
            "#999 的已提交申报 / no submitted",
        ),
        (("notice", "--year", "1999", "--out", "x.docx"), "needs --year between 2000 and 2099 (given: 1999)"),
        (("notice", "--year", "abc", "--out", "x.docx"), "needs --year between 2000 and 2099 (given: abc)"),
        (("application-form", "--application", "三", "--out", "x.docx"), "no submitted application #三"),
        (("naming-list", "--year", "2025", "--format", "pdf", "--out", "x.pdf"), "naming-list comes as xlsx|docx"),
        (("notice", "--year", "2026", "--out", "x.xlsx"), "notice comes as docx, not xlsx"),
        (("naming-list", "--year", "2025", "--format", "xlsx", "--out", "x.docx"), "--out must end in .xlsx"),
        (("recommendation-summary", "--year", "2026", "--out", "x.xlsx"), "needs --union NAME"),
        (("recommendation-summary", "--union", "无此工会", "--year", "2026", "--out", "x.xlsx"), "no such union"),
    ],
)
def test_bad_input_is_one_bilingual_line_and_writes_nothing(
    db_url: str, tmp_path: Path, year_ids: tuple[int, int], args: tuple[str, ...], said: str
) -> None:
    result = invoke(db_url, "document", *args)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and " / " in lines[0] and said in lines[0], result.output
    assert not list(tmp_path.glob("x.*"))
    as_json = invoke(db_url, "document", *args, "--json")
    assert as_json.exit_code == 2 and json.loads(as_json.output.splitlines()[0])["ok"] is False
