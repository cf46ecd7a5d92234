"""Words a person may type at any step, in either language, with or without a slash."""

from __future__ import annotations

CANCEL = frozenset({"取消", "cancel", "退出", "quit", "算了"})
BACK = frozenset({"返回", "back", "上一步", "后退"})
SKIP = frozenset({"跳过", "skip", "略过", "无", "没有", "none"})
HELP = frozenset({"帮助", "help", "?", "？", "怎么用"})
DONE = frozenset({"完成", "done", "好了", "结束", "ok"})
SUBMIT = frozenset({"提交", "submit", "确认", "确定"})
EDIT = frozenset({"修改", "edit", "更改"})
# Answers to a yes/no question in either language; "无" here is "no", not "skip".
YES = ("是", "是的", "有", "对", "已", "yes", "y")
NO = ("否", "不", "不是", "没", "没有", "无", "未", "no", "n")

# At the summary, what people say to mean "send it" (提交吧, 好的, 确认提交).
CONFIRM = frozenset({*SUBMIT, "提交吧", "确认提交", "好", "好的", "好了", "可以", "行", "没问题", "ok", "okay", "yes"})
_TRAILING = "吧啊呀了。.!！~ "


def confirms(text: str) -> bool:
    """Whether the text, said at a summary, means to submit it."""
    word = normalise(text)
    return word in CONFIRM or word.rstrip(_TRAILING) in CONFIRM


def normalise(text: str) -> str:
    """Lower-case, trimmed, without a leading slash: the form control words are compared in."""
    return text.strip().lstrip("/").strip().lower()


def control_word(text: str) -> str | None:
    """Which control word the text is, if any: cancel, back, skip, help, done, submit, edit."""
    word = normalise(text)
    for name, group in (
        ("cancel", CANCEL),
        ("back", BACK),
        ("skip", SKIP),
        ("help", HELP),
        ("done", DONE),
        ("submit", SUBMIT),
        ("edit", EDIT),
    ):
        if word in group:
            return name
    return None
