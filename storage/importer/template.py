"""Write the import template: a sheet per kind of row, fixed headers, drop-down lists, and a README."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from storage.importer.layout import PEOPLE, README_NAME, ROLES, SHEETS, STUDIOS, UNIONS, SheetLayout
from storage.vocabulary import GRADE_WORDS, LEVELS
from storage.vocabulary import ROLES as ROLE_WORDS

TEMPLATE_ROWS = 2000  # drop-down lists cover this many rows

README = (
    "技师创新工作室 批量导入模板 / bulk import template",
    "",
    "填写后运行 / when filled in, run:  studio-bot import 本文件.xlsx",
    "红色表头为必填 / red headers must be filled; 每张表从第 2 行起每行一条 / one row per line from row 2.",
    "先检查全部行，有任何一行出错就什么都不写入，并列出每个错误的表名、行号和原因。",
    "Every row is checked first; if any row is wrong nothing is written, and each problem is listed.",
    "同一文件导入两次，第二次不会有任何改变 / importing the same file twice changes nothing the second time.",
    "已存在的记录按名称匹配；空白单元格表示不修改 / existing rows are matched by name; an empty cell changes nothing.",
    "",
    f"{UNIONS.name}：名称、层级（{LEVELS.help()}）、上级工会（可为本表或系统中已有的工会）",
    f"{STUDIOS.name}：名称、所属工会、所在企业、活动场所、设备、命名日期（如 2025-06-01；填写即开始三年管理周期）",
    f"{PEOPLE.name}：姓名、手机（同名时用于区分）、技术等级（{GRADE_WORDS.help()}）、所在企业",
    f"{ROLES.name}：姓名、手机、角色（{ROLE_WORDS.help()}；领衔人、成员 需填工作室，其余需填工会）",
    "层级、角色、技术等级填中文或英文均可 / levels, roles and grades may be written in Chinese or in English.",
    "",
    "绑定码不由导入生成：请为需要使用机器人的人员运行 studio-bot invite。",
    "Binding codes are not made by the import: run `studio-bot invite` for each person who will chat with the bot.",
    "",
    "示例 / example:",
    f"{UNIONS.name}:  浦东新区总工会 | 区县局 | 市职工技协",
    f"{STUDIOS.name}:  王建国技师创新工作室 | 浦东新区总工会 | 上海某机械厂 | 二号车间 | 数控车床 | 2025-06-01",
    f"{PEOPLE.name}:  王建国 | 13800138000 | 高级技师 | 上海某机械厂",
    f"{ROLES.name}:  王建国 | 13800138000 | 领衔人 | 王建国技师创新工作室 |",
)


def write_template(path: Path) -> Path:
    """Write an empty template to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    try:
        readme = book.add_worksheet(README_NAME)
        readme.set_column(0, 0, 110)
        title = book.add_format({"bold": True, "font_size": 14})
        for n, line in enumerate(README):
            readme.write_string(n, 0, line, title if n == 0 else None)
        required = book.add_format({"bold": True, "font_color": "#C00000", "bg_color": "#FDE9D9", "border": 1})
        optional = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        text = book.add_format({"num_format": "@"})  # phones and names stay text, never numbers
        for layout in SHEETS:
            _sheet(book, layout, required, optional, text)
    finally:
        book.close()
    return path


def _sheet(book: xlsxwriter.Workbook, layout: SheetLayout, required: object, optional: object, text: object) -> None:
    ws = book.add_worksheet(layout.name)
    ws.freeze_panes(1, 0)
    for col, spec in enumerate(layout.cols):
        ws.set_column(col, col, spec.width, None if spec.key == "named_on" else text)
        ws.write_string(0, col, spec.header, required if spec.required else optional)
        if spec.choices:
            ws.data_validation(
                1,
                col,
                TEMPLATE_ROWS,
                col,
                {"validate": "list", "source": list(spec.choices), "error_type": "warning"},
            )
