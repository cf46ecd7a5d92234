"""Passive replies on both WeChat channels carry the answer's text exactly, whatever it contains."""

from __future__ import annotations

import pytest

from bot.channels.wechat.outbound import passive_text as oa_passive_text
from bot.channels.wecom.callback import passive_text as wecom_passive_text
from bot.http import xmlsafe

TEXTS = ("活动标题]]>后半", "]]>", "a]]]]>b", "<b>&amp;</b> 与 ]]", "普通的回答")


@pytest.mark.parametrize("text", TEXTS)
def test_an_oa_passive_reply_reads_back_as_the_text_sent(text: str) -> None:
    # wechatpy puts the text in CDATA as it is: an unsplit ']]>' made the whole reply unreadable XML
    reply = xmlsafe.parse(oa_passive_text("oUSER", "gh_account", text))
    assert reply["Content"] == text
    assert (reply["ToUserName"], reply["FromUserName"], reply["MsgType"]) == ("oUSER", "gh_account", "text")


@pytest.mark.parametrize("text", TEXTS)
def test_a_wecom_passive_reply_reads_back_as_the_text_sent(text: str) -> None:
    reply = xmlsafe.parse(wecom_passive_text("ww-corp", "zhangsan", "1000002", text))
    assert reply["Content"] == text
    assert (reply["ToUserName"], reply["AgentID"]) == ("zhangsan", "1000002")
