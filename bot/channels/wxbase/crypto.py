"""wechatpy's message crypto (Official Account and WeCom) with the AES cipher built once instead of per message."""

# Relies on wechatpy's private _encrypt_message, _decrypt_message and _check_signature taking the cipher
# class as `crypto_class`: tests/test_private_contracts.py fails, naming the version, when an upgrade changes them.

from __future__ import annotations

from typing import Any

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.enterprise.crypto import PrpCrypto as WeComPrpCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComWeChatCrypto


class _OneCipher:
    """wechatpy's own encrypt/decrypt, handed one PrpCrypto: it asks for PrpCrypto(self.key) on every call."""

    _prp: Any
    _encrypt_message: Any
    _decrypt_message: Any

    def _prp_for(self, key: bytes) -> Any:
        return self._prp  # always self.key: one key schedule per process

    def encrypt_message(self, msg: str, nonce: str, timestamp: str | None = None) -> str:
        """wechatpy's encrypt_message: the encrypted, signed reply envelope."""
        return str(self._encrypt_message(msg, nonce, timestamp, self._prp_for))

    def decrypt_message(self, msg: Any, signature: str, timestamp: str, nonce: str) -> str:
        """wechatpy's decrypt_message: InvalidSignatureException unless msg_signature matches, then the plain XML."""
        return str(self._decrypt_message(msg, signature, timestamp, nonce, self._prp_for))


class OACrypto(_OneCipher, WeChatCrypto):  # type: ignore[misc]
    """The Official Account's WeChatCrypto with one cipher (InvalidAppIdException for another app's message)."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        super().__init__(token, encoding_aes_key, app_id)
        self._prp = PrpCrypto(self.key)


class WeComCrypto(_OneCipher, WeComWeChatCrypto):  # type: ignore[misc]
    """wechatpy.enterprise's WeChatCrypto with one cipher (InvalidCorpIdException for another corp's message)."""

    def __init__(self, token: str, encoding_aes_key: str, corp_id: str) -> None:
        super().__init__(token, encoding_aes_key, corp_id)
        self._prp = WeComPrpCrypto(self.key)

    def check_signature(self, signature: str, timestamp: str, nonce: str, echo_str: str) -> Any:
        """wechatpy's URL verification: the decrypted echostr, InvalidSignatureException if unsigned."""
        return self._check_signature(signature, timestamp, nonce, echo_str, self._prp_for)
