"""The assessment workbook: summary, criteria, the tables behind the figures, and the charts inside."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.assessment.rubric import load_rubric
from handlers.assessment.service import assess_studio, assess_union
from handlers.assessment.workbook import write_assessment, write_ranking
from handlers.core.i18n import Translator
from tests.export_data import TODAY, build_world


async def test_assessment_workbook(session: AsyncSession, tmp_path: Path) -> None:
    world = await build_world(session)
    rubric = load_rubric()
    result = await assess_studio(session=session, studio=world.studio, rubric=rubric, today=TODAY)
    out = await write_assessment(tmp_path / "考核.xlsx", result, rubric, Translator("zh_CN"), today=TODAY)

    book = load_workbook(out)
    assert book.sheetnames == ["考核概要", "考核指标", "活动按月", "活动按类别", "成果按类别", "专利", "晋升"]
    summary = dict(book["考核概要"].iter_rows(min_row=2, values_only=True))
    assert summary["工作室"] == "王建国技师创新工作室"
    assert summary["评分"] == "72 / 100"
    assert summary["建议"] == "保留称号"
    assert summary["周期进度"] == "50%"

    checks = book["考核指标"]
    assert [c.value for c in checks[1]] == [
        "考核方面",
        "指标",
        "实际",
        "周期目标",
        "按进度应达",
        "是否达标",
        "分值",
        "得分",
    ]
    by_figure = {row[1]: row for row in checks.iter_rows(min_row=2, values_only=True)}
    assert by_figure["活动次数"][2:] == (5, "≥ 36", 18, "否", 15, 4.2)
    assert by_figure["活动次数"][0] == "活动正常"  # 第十条's word
    assert by_figure["培训学时"][2] == 17.5 and by_figure["培训学时"][4] == 50.1
    assert by_figure["团队成员"][5] == "是"
    assert checks.freeze_panes == "A2"

    months = book["活动按月"]
    assert list(months.iter_rows(min_row=2, values_only=True)) == [
        ("2025-06", 2),
        ("2025-07", 1),
        ("2026-01", 1),
        ("2026-04", 1),
    ]
    assert len(months._images) == 1 and len(book["成果按类别"]._images) == 1
    assert dict(book["专利"].iter_rows(min_row=2, values_only=True)) == {"发明": 1, "实用新型": 1}
    assert dict(book["晋升"].iter_rows(min_row=2, values_only=True)) == {"技师": 2}
    kinds = dict(book["活动按类别"].iter_rows(min_row=2, values_only=True))
    assert kinds == {"技术交流": 2, "技术学习": 1, "技术攻关": 1, "技术创新": 1}  # the measures' words


async def test_ranking_workbook(session: AsyncSession, tmp_path: Path) -> None:
    world = await build_world(session)
    await build_world(session, studio_name="李娟技师创新工作室")
    results = await assess_union(session=session, union=world.union, rubric=load_rubric(), today=TODAY)
    out = await write_ranking(tmp_path / "排名.xlsx", results, Translator("zh_CN"))

    ws = load_workbook(out)["考核排名"]
    headers = [c.value for c in ws[1]]
    assert headers[:8] == ["名次", "工作室", "所属工会", "周期结束", "周期进度", "评分", "未达标项", "建议"]
    rows = [dict(zip(headers, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)]
    assert [r["名次"] for r in rows] == [1, 2]
    # Equal figures: equal scores, ranked by name.
    assert [r["工作室"] for r in rows] == sorted(r["工作室"] for r in rows)
    assert rows[0]["周期结束"] == datetime(2028, 5, 31)
    assert rows[0]["评分"] == 72 and rows[0]["活动次数"] == 5 and rows[0]["资助金额(元)"] == 50000
