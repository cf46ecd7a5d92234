"""The cached ciphers (OA, WeCom) verify, seal and open messages exactly as wechatpy's own crypto does."""

from __future__ import annotations

import pytest
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as EnterpriseCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from bot.channels.wxbase.crypto import OACrypto, WeComCrypto
from bot.http import xmlsafe
from tests.support.fake_wechat import APP_ID
from tests.support.wechat_world import OA_TOKEN, aes_key


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


def test_the_wecom_cipher_verifies_seals_and_opens_as_wechatpy_enterprise_does() -> None:
    key, corp = aes_key(), "ww1234567890abcdef"
    ours, theirs = WeComCrypto("wecom-token", key, corp), EnterpriseCrypto("wecom-token", key, corp)
    sealed = xmlsafe.parse(theirs.encrypt_message("ping", "n1", "1700000000"))
    echo = sealed["Encrypt"]  # the URL check sends an encrypted echostr signed the same way
    assert ours.check_signature(sealed["MsgSignature"], "1700000000", "n1", echo) == "ping"
    with pytest.raises(InvalidSignatureException):
        ours.check_signature(sealed["MsgSignature"], "1700000000", "n2", echo)
    for plain in ("<xml><Content><![CDATA[你好]]></Content></xml>", "x" * 5000):
        mine = xmlsafe.parse(ours.encrypt_message(plain, "nonce1", "1700000000"))
        assert theirs.decrypt_message(mine, mine["MsgSignature"], "1700000000", "nonce1") == plain
        theirs_sealed = xmlsafe.parse(theirs.encrypt_message(plain, "nonce2", "1700000001"))
        assert ours.decrypt_message(theirs_sealed, theirs_sealed["MsgSignature"], "1700000001", "nonce2") == plain
    other = xmlsafe.parse(EnterpriseCrypto("wecom-token", key, "ww-another-corp").encrypt_message("<xml/>", "n", "1"))
    with pytest.raises(InvalidCorpIdException):
        ours.decrypt_message(other, other["MsgSignature"], "1", "n")
