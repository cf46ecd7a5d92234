"""A filled import template shared by the import and CLI tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from storage.importer.template import write_template

GOOD: dict[str, list[Sequence[object]]] = {
    "工会": [
        ["浦东新区总工会", "区县局", "市职工技协"],  # its parent comes on a later row
        ["市职工技协", "市级", None],
        ["某机械集团工会", "企业", "浦东新区总工会"],
    ],
    "工作室": [
        ["王建国技师创新工作室", "某机械集团工会", "上海某机械厂", "二号车间", "数控车床", datetime(2025, 6, 1)],
        ["李娟技能大师工作室", "浦东新区总工会", "上海某电气公司", None, None, None],
    ],
    "人员": [
        ["王建国", 13800138000, "高级技师", "上海某机械厂"],
        ["李娟", "139-0013-9000", "技师", None],
        ["赵磊", None, None, None],
        ["陈审核", None, None, None],
    ],
    "角色": [
        ["王建国", "13800138000", "领衔人", "王建国技师创新工作室", None],
        ["李娟", None, "成员", "王建国技师创新工作室", None],
        ["赵磊", None, "member", "王建国技师创新工作室", None],
        ["陈审核", None, "审核人", None, "浦东新区总工会"],
        ["李娟", None, "领衔人", "李娟技能大师工作室", None],
    ],
}


def filled(tmp_path: Path, name: str, rows: Mapping[str, Sequence[Sequence[object]]]) -> Path:
    template = write_template(tmp_path / "template.xlsx")
    book = load_workbook(template)
    for sheet, lines in rows.items():
        for line in lines:
            book[sheet].append(list(line))
    book.save(tmp_path / name)
    return tmp_path / name
