"""wechatpy's Official Account crypto with its AES cipher built once instead of for every message."""

from __future__ import annotations

from typing import Any

from wechatpy.crypto import PrpCrypto, WeChatCrypto


class OACrypto(WeChatCrypto):  # type: ignore[misc]
    """WeChatCrypto whose messages go through one PrpCrypto: wechatpy's own code, one key schedule per process."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        super().__init__(token, encoding_aes_key, app_id)
        self._prp = PrpCrypto(self.key)

    def _prp_for(self, key: bytes) -> PrpCrypto:
        return self._prp  # wechatpy asks for PrpCrypto(self.key) on every call: always this key

    def encrypt_message(self, msg: str, nonce: str, timestamp: str | None = None) -> str:
        """wechatpy's encrypt_message: the encrypted, signed reply envelope."""
        return str(self._encrypt_message(msg, nonce, timestamp, self._prp_for))

    def decrypt_message(self, msg: Any, signature: str, timestamp: str, nonce: str) -> str:
        """wechatpy's decrypt_message: InvalidSignatureException unless msg_signature matches, then the plain XML."""
        return str(self._decrypt_message(msg, signature, timestamp, nonce, self._prp_for))
