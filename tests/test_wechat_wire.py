"""The OA channel's own XML, crypto and reply rendering read and write exactly what defusedxml and wechatpy do."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET
import pytest
from defusedxml import DefusedXmlException
from hypothesis import given, settings
from hypothesis import strategies as st
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply

from bot.channels.wechat import outbound
from bot.channels.wechat.crypto import OACrypto
from bot.http import xmlsafe
from tests.support.fake_wechat import APP_ID
from tests.support.wechat_world import OA_TOKEN, aes_key


def reference(body: str) -> dict[str, Any] | str:
    """The parse as it was: defusedxml's ElementTree, then the tree as dicts; 'BadXml' when refused."""

    def convert(element: Element, depth: int) -> dict[str, Any] | str:
        if depth > xmlsafe.MAX_DEPTH:
            raise xmlsafe.BadXml("nested too deep")
        if not list(element):
            return element.text or ""
        out: dict[str, Any] = {}
        for child in element:
            value = convert(child, depth + 1)
            if child.tag in out:
                existing = out[child.tag]
                out[child.tag] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                out[child.tag] = value
        return out

    try:
        root = DefusedET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        if root.tag != "xml":
            return "BadXml"
        value = convert(root, 0)
    except (ParseError, DefusedXmlException, ValueError):
        return "BadXml"
    return value if isinstance(value, dict) else {}


def ours(body: str) -> dict[str, Any] | str:
    try:
        return xmlsafe.parse(body)
    except xmlsafe.BadXml:
        return "BadXml"


names = st.sampled_from(["Content", "MsgId", "a", "ns:b", "Item", "Item"])
texts = st.text(st.sampled_from(list("ab 长\n&<>]")), max_size=6).map(
    lambda t: t.replace("&", "&amp;").replace("<", "&lt;")
)
pieces = st.sampled_from(["", "<![CDATA[x<y]]>", "<!-- note -->", "<?pi x?>", "&lt;&#20013;"] * 8 + ["&bogus;", "<"])


@st.composite
def elements(draw: st.DrawFn, depth: int = 0, name: str | None = None) -> str:
    name = name or draw(names)
    attrs = draw(st.sampled_from(["", "", ' id="1"', ' xmlns="urn:x"', ' xmlns:ns="urn:y"']))
    inner = draw(texts) + draw(pieces)
    if depth < 10 and draw(st.booleans()):
        inner += "".join(draw(st.lists(elements(depth + 1), max_size=3))) + draw(texts)
    return f"<{name}{attrs}>{inner}</{name}>"


PREFIXES = [
    "",
    "",
    "",
    "",
    "",
    '<?xml version="1.0" encoding="utf-8"?>',
    "<!DOCTYPE xml>",
    '<!DOCTYPE x [<!ENTITY e "v">]>',
]
documents = st.tuples(
    st.sampled_from(PREFIXES),
    st.sampled_from(["xml", "xml", "xml", "html"]).flatmap(lambda root: elements(name=root)),
    st.sampled_from(["", "", "", "", "", "", " ", "\n", "<xml/>", "junk"]),
).map("".join)


@settings(max_examples=500, deadline=None)
@given(documents)
def test_the_parse_reads_and_refuses_exactly_what_defusedxml_did(body: str) -> None:
    assert ours(body) == reference(body)
    assert ours(body.encode()) == reference(body)


def test_deep_documents_bombs_and_external_entities_are_refused() -> None:
    deep = "<xml>" + "<a>" * 9 + "x" + "</a>" * 9 + "</xml>"
    assert ours(deep) == reference(deep) == "BadXml"
    ok = "<xml>" + "<a>" * 8 + "x" + "</a>" * 8 + "</xml>"
    assert ours(ok) == reference(ok) != "BadXml"
    for body in (
        '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><C>&xxe;</C></xml>',
        '<!DOCTYPE xml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml><C>&b;</C></xml>',
        "<xml><C>&undefined;</C></xml>",
    ):
        with pytest.raises(xmlsafe.BadXml):
            xmlsafe.parse(body)


def test_one_cipher_per_process_encrypts_and_decrypts_as_wechatpy_does() -> None:
    key = aes_key()
    ours, theirs = OACrypto(OA_TOKEN, key, APP_ID), WeChatCrypto(OA_TOKEN, key, APP_ID)
    for plain in ("<xml><Content><![CDATA[你好]]></Content></xml>", "x" * 5000):
        sealed = ours.encrypt_message(plain, "nonce1", "1700000000")
        envelope = xmlsafe.parse(sealed)
        assert theirs.decrypt_message(sealed, envelope["MsgSignature"], "1700000000", "nonce1") == plain
        theirs_sealed = xmlsafe.parse(theirs.encrypt_message(plain, "nonce2", "1700000001"))
        assert ours.decrypt_message(theirs_sealed, theirs_sealed["MsgSignature"], "1700000001", "nonce2") == plain
        with pytest.raises(InvalidSignatureException):
            ours.decrypt_message(envelope, envelope["MsgSignature"], "1700000000", "another-nonce")
    stranger = xmlsafe.parse(WeChatCrypto(OA_TOKEN, key, "wx-another-app").encrypt_message("<xml/>", "n", "1"))
    with pytest.raises(InvalidAppIdException):
        ours.decrypt_message(stranger, stranger["MsgSignature"], "1", "n")


@given(st.text(max_size=40), st.text(max_size=12), st.text(max_size=12))
def test_a_passive_reply_is_rendered_as_wechatpy_renders_it(text: str, to_user: str, account: str) -> None:
    rendered = outbound.passive_text(to_user, account, text)
    moment = int(rendered.rsplit("<CreateTime>", 1)[1].split("<", 1)[0])
    assert rendered == TextReply(source=account, target=to_user, content=text, time=moment).render()
