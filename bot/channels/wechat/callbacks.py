"""An Official Account callback's envelope: the URL signature, and the message inside (decrypted in safe mode)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from wechatpy.exceptions import InvalidSignatureException

from bot.channels.wxbase.crypto import OACrypto
from bot.http import xmlsafe

PLAIN_MODE = (
    "wechat: plaintext mode (no WECHAT_AES_KEY): a callback's signature does not cover its message, so anyone who "
    "sees one callback URL (a proxy's access log, say) in time can forge messages as any follower; "
    "set WECHAT_AES_KEY to turn on safe mode"
)


def signature_ok(token: str, query: Any) -> bool:
    """The `signature` of an OA callback: sha1 of the sorted token, timestamp and nonce."""
    parts = sorted([token, str(query.get("timestamp", "")), str(query.get("nonce", ""))])
    expected = hashlib.sha1("".join(parts).encode(), usedforsecurity=False).hexdigest()
    return hmac.compare_digest(expected, str(query.get("signature", "")))


def open_message(crypto: OACrypto | None, body: bytes, query: Any) -> tuple[dict[str, Any], bool]:
    """The message and whether it came encrypted; InvalidSignatureException unless msg_signature signs it."""
    outer = xmlsafe.parse(body)
    if query.get("encrypt_type", "raw").lower() != "aes":
        return outer, False
    if crypto is None:
        raise xmlsafe.BadXml("an encrypted message, but no WECHAT_AES_KEY")
    if "Encrypt" not in outer or not query.get("msg_signature"):
        raise InvalidSignatureException()  # nothing a msg_signature signs, or none to check
    try:
        plain = crypto.decrypt_message(
            {"Encrypt": outer["Encrypt"]},
            query.get("msg_signature", ""),
            query.get("timestamp", ""),
            query.get("nonce", ""),
        )
    except InvalidSignatureException:
        raise
    except Exception as exc:  # wrong key, bad padding, wrong app id: the body is not ours to read
        raise xmlsafe.BadXml(f"cannot decrypt ({type(exc).__name__})") from None
    return xmlsafe.parse(plain), True
