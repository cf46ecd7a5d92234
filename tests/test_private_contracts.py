"""Private internals of libraries that our fast paths rely on, pinned: an upgrade that changes one fails here, loudly.

- storage/sqlite_inline.py (its cursor in sqlite_cursor.py) stands in for aiosqlite's connection inside
  SQLAlchemy's aiosqlite dialect: it must offer whatever the dialect touches on aiosqlite's connection and cursor,
  including the private request queue `_tx` and the sqlite3 connection `_conn`, with aiosqlite's signatures.
- bot/channels/wxbase/crypto.py hands wechatpy's private `_encrypt_message`, `_decrypt_message` and
  `_check_signature` one cached cipher as their `crypto_class`, and must seal and open exactly as the public API.
- bot/channels/wechat/api.py and wecom/api.py use wechatpy clients' private `_http` session and `_fetch_access_token`.

SQLITE_FAST_PATH=false runs SQLite without sqlite_inline while its contract is being mended.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from importlib.metadata import version
from typing import Any

import aiosqlite
import pytest
import requests
import wechatpy
import wechatpy.client.base
import wechatpy.crypto
import wechatpy.crypto.base
import wechatpy.enterprise
import wechatpy.enterprise.crypto
from sqlalchemy.connectors import asyncio as adapt
from sqlalchemy.dialects.sqlite import aiosqlite as dialect

from bot.channels.wxbase.crypto import OACrypto, WeComCrypto
from bot.http import xmlsafe
from storage.sqlite_cursor import InlineCursor
from storage.sqlite_inline import InlineConnection
from tests.support.wechat_world import aes_key

SQLALCHEMY = f"SQLAlchemy {version('sqlalchemy')}"
AIOSQLITE = f"aiosqlite {version('aiosqlite')}"
WECHATPY = f"wechatpy {version('wechatpy')}"
INLINE = "update storage/sqlite_inline.py (or set SQLITE_FAST_PATH=false until it is)"
CRYPTO = "update bot/channels/wxbase/crypto.py"

# What the dialect touches on the driver's connection (`self._connection.NAME`, and `connection.cursor()`)
CONNECTION_USE = {
    "_conn", "_connection", "_tx", "close", "commit", "create_function", "cursor", "isolation_level", "rollback", "stop"
}  # fmt: skip
# ... and on the driver's cursor (`self._cursor.NAME`); a few it has but SQLite's dialect never calls
CURSOR_USE = {
    "__aiter__", "arraysize", "close", "description", "execute", "executemany", "fetchall", "fetchmany", "fetchone",
    "lastrowid", "nextset", "rowcount", "setinputsizes",
}  # fmt: skip
CURSOR_NEVER_CALLED = {
    "__aiter__": "only iterating a raw server-side cursor; results read with fetchone/fetchmany/fetchall",
    "nextset": "only for drivers with several result sets",
    "setinputsizes": "only for dialects that bind with setinputsizes; SQLite's does not",
}
# The request queue: aiosqlite's worker runs (future, function) items; the dialect sets isolation_level through it
ISOLATION_SETTER = (
    "function = partial(set_iso, self._connection._conn, value)",
    "self._connection._tx.put_nowait((future, function))",
)


def _used(classes: Sequence[type], attribute: str) -> set[str]:
    return {name for cls in classes for name in re.findall(rf"self\.{attribute}\.(\w+)", inspect.getsource(cls))}


def test_the_aiosqlite_dialect_touches_only_what_the_inline_connection_offers() -> None:
    connection = list(dialect.AsyncAdapt_aiosqlite_connection.__mro__[:-1])
    used = _used(connection, "_connection") | set(
        re.findall(r"connection\.(\w+)\(\)", inspect.getsource(adapt.AsyncAdapt_dbapi_cursor._make_new_cursor))
    )
    assert used == CONNECTION_USE, (
        f"{SQLALCHEMY} changed what its aiosqlite dialect uses of the connection: {used ^ CONNECTION_USE}; {INLINE}"
    )
    missing = {
        name for name in used if not hasattr(InlineConnection, name) and name not in {"_conn", "_connection", "_tx"}
    }
    assert not missing, f"InlineConnection lacks {missing}, which {SQLALCHEMY}'s aiosqlite dialect uses; {INLINE}"
    cursors = [dialect.AsyncAdapt_aiosqlite_cursor, adapt.AsyncAdapt_dbapi_cursor, adapt.AsyncAdapt_dbapi_ss_cursor]
    used = _used(cursors, "_cursor")
    assert used == CURSOR_USE, (
        f"{SQLALCHEMY} changed what the aiosqlite dialect uses of aiosqlite's cursor: {used ^ CURSOR_USE}; {INLINE}"
    )
    missing = {name for name in used - set(CURSOR_NEVER_CALLED) if not hasattr(InlineCursor, name)}
    assert not missing, f"InlineCursor lacks {missing}, which {SQLALCHEMY}'s aiosqlite dialect uses; {INLINE}"


def test_the_dialect_still_sets_isolation_level_through_the_request_queue() -> None:
    setter = inspect.getsource(dialect.AsyncAdapt_aiosqlite_connection)
    for line in ISOLATION_SETTER:
        assert line in setter, (
            f"{SQLALCHEMY} changed how the aiosqlite dialect sets isolation_level (no {line!r}); {INLINE}"
        )
    assert dialect.AsyncAdapt_aiosqlite_dbapi(aiosqlite, __import__("sqlite3")).has_stop, (
        f"{AIOSQLITE} has no Connection.stop: the dialect no longer terminates through it; {INLINE}"
    )


async def test_aiosqlite_still_has_the_private_parts_the_dialect_reaches_for(tmp_path: Any) -> None:
    async with aiosqlite.connect(tmp_path / "x.db") as connection:
        for name in ("_tx", "_conn", "_connection"):
            assert hasattr(connection, name), f"{AIOSQLITE} changed Connection.{name}: {INLINE}"
        assert callable(connection._tx.put_nowait), f"{AIOSQLITE} changed Connection._tx: {INLINE}"
    inline = InlineConnection(__import__("sqlite3").connect(":memory:"), busy_timeout_ms=0)
    for name in ("_tx", "_conn", "_connection"):
        assert hasattr(inline, name), f"InlineConnection lost {name}, which {SQLALCHEMY}'s aiosqlite dialect reads"
    await inline.close()


def _shape(function: Callable[..., Any]) -> list[tuple[str, Any, Any]]:
    """Parameter names, kinds and defaults: what a caller relies on (annotations aside)."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


MIRRORED = [
    (
        aiosqlite.Connection,
        InlineConnection,
        ("cursor", "execute", "commit", "rollback", "close", "create_function", "stop"),
    ),
    (aiosqlite.Cursor, InlineCursor, ("execute", "executemany", "fetchone", "fetchmany", "fetchall", "close")),
]
CURSOR_PROPERTIES = ("description", "rowcount", "lastrowid", "arraysize")


@pytest.mark.parametrize(("theirs", "ours", "names"), MIRRORED, ids=["Connection", "Cursor"])
def test_the_inline_classes_keep_aiosqlites_signatures(theirs: type, ours: type, names: tuple[str, ...]) -> None:
    for name in names:
        assert _shape(getattr(theirs, name)) == _shape(getattr(ours, name)), (
            f"{AIOSQLITE} changed {theirs.__name__}.{name}{inspect.signature(getattr(theirs, name))}: {INLINE}"
        )
    for name in CURSOR_PROPERTIES if ours is InlineCursor else ():
        assert isinstance(inspect.getattr_static(theirs, name), property), (
            f"{AIOSQLITE} changed Cursor.{name}: {INLINE}"
        )
        assert isinstance(inspect.getattr_static(ours, name), property), f"InlineCursor.{name} is not a property"


# ---- wechatpy ------------------------------------------------------------------------------------------------

PRIVATE_CRYPTO = {
    "_encrypt_message": "(self, msg, nonce, timestamp=None, crypto_class=None)",
    "_decrypt_message": "(self, msg, signature, timestamp, nonce, crypto_class=None)",
    "_check_signature": "(self, signature, timestamp, nonce, echo_str, crypto_class=None)",
}
PUBLIC_CRYPTO = {
    "encrypt_message": "(self, msg, nonce, timestamp=None)",
    "decrypt_message": "(self, msg, signature, timestamp, nonce)",
}
STOCK = {
    "OA": (wechatpy.crypto.WeChatCrypto, OACrypto),
    "WeCom": (wechatpy.enterprise.crypto.WeChatCrypto, WeComCrypto),
}
MESSAGES = ("<xml><Content><![CDATA[你好，张工]]></Content></xml>", "x" * 5000, "ping")


@pytest.mark.parametrize("kind", list(STOCK))
def test_wechatpys_private_crypto_methods_keep_their_signatures(kind: str) -> None:
    stock, _ = STOCK[kind]
    for name, expected in {**PRIVATE_CRYPTO, **PUBLIC_CRYPTO}.items():
        found = getattr(stock, name, None)
        assert found is not None and str(inspect.signature(found)) == expected, (
            f"{WECHATPY} changed {stock.__module__}.WeChatCrypto.{name}: {CRYPTO}"
        )


@pytest.mark.parametrize("kind", list(STOCK))
def test_the_one_cipher_is_the_one_used(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    stock, cached = STOCK[kind]
    key = aes_key()
    ours = cached("token", key, "wx-or-ww-id")
    built: list[bytes] = []
    original = wechatpy.crypto.base.BasePrpCrypto.__init__

    def counting(self: Any, key: bytes) -> None:
        built.append(key)
        original(self, key)

    monkeypatch.setattr(wechatpy.crypto.base.BasePrpCrypto, "__init__", counting)
    sealed = xmlsafe.parse(ours.encrypt_message("<xml/>", "n", "1"))
    assert ours.decrypt_message(sealed, sealed["MsgSignature"], "1", "n") == "<xml/>"
    assert built == [], (
        f"{WECHATPY} changed how _encrypt_message/_decrypt_message use crypto_class (a cipher per message): {CRYPTO}"
    )
    stock("token", key, "wx-or-ww-id").encrypt_message("<xml/>", "n", "1")
    assert len(built) == 1, f"{WECHATPY} no longer builds its cipher through crypto_class: {CRYPTO}"


@pytest.mark.parametrize("kind", list(STOCK))
def test_the_one_cipher_seals_and_opens_exactly_as_wechatpys_public_api(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stock, cached = STOCK[kind]
    key, app = aes_key(), "wx0123456789abcdef" if kind == "OA" else "ww0123456789abcdef"
    ours, theirs = cached("callback-token", key, app), stock("callback-token", key, app)
    for plain in MESSAGES:
        mine = ours.encrypt_message(plain, "nonce1", "1700000000")
        envelope = xmlsafe.parse(mine)
        assert theirs.decrypt_message(mine, envelope["MsgSignature"], "1700000000", "nonce1") == plain, (
            f"{WECHATPY} changed {stock.__module__}.WeChatCrypto: it no longer opens what our cipher seals; {CRYPTO}"
        )
        sealed = theirs.encrypt_message(plain, "nonce2", "1700000001")
        opened = ours.decrypt_message(
            xmlsafe.parse(sealed), xmlsafe.parse(sealed)["MsgSignature"], "1700000001", "nonce2"
        )
        assert opened == plain, (
            f"{WECHATPY} changed _decrypt_message: our {kind} cipher no longer opens its messages; {CRYPTO}"
        )
    # with the random prefix fixed, both produce the very same envelope
    monkeypatch.setattr(wechatpy.crypto.base.BasePrpCrypto, "get_random_string", lambda self: "0123456789abcdef")
    assert ours.encrypt_message(MESSAGES[0], "n", "1") == theirs.encrypt_message(MESSAGES[0], "n", "1"), (
        f"{WECHATPY} changed _encrypt_message: our {kind} cipher seals differently from encrypt_message; {CRYPTO}"
    )


def test_the_wecom_url_check_answers_as_wechatpys_check_signature() -> None:
    key, corp = aes_key(), "ww0123456789abcdef"
    ours, theirs = (
        WeComCrypto("callback-token", key, corp),
        wechatpy.enterprise.crypto.WeChatCrypto("callback-token", key, corp),
    )
    sealed = xmlsafe.parse(theirs.encrypt_message("1846270813427364", "n1", "1700000000"))
    echo, signature = sealed["Encrypt"], sealed["MsgSignature"]  # the URL check signs its echostr the same way
    assert ours.check_signature(signature, "1700000000", "n1", echo) == theirs.check_signature(
        signature, "1700000000", "n1", echo
    ), f"{WECHATPY} changed _check_signature: {CRYPTO}"


# bot/channels/wechat/api.py and wecom/api.py: settle_environment configures the client's private requests
# session once (no environment scan per call), and fetch_access_token calls the private token fetch with its host.
CLIENT = "update bot/channels/wechat/api.py and bot/channels/wecom/api.py"


@pytest.mark.parametrize("client", [wechatpy.WeChatClient, wechatpy.enterprise.WeChatClient], ids=["OA", "WeCom"])
def test_wechatpys_clients_still_send_through_their_private_session(client: type) -> None:
    instance = client("app-or-corp-id", "secret")
    assert isinstance(getattr(instance, "_http", None), requests.Session), (
        f"{WECHATPY} changed {client}._http: {CLIENT}"
    )
    source = inspect.getsource(wechatpy.client.base.BaseWeChatClient)
    sends = "self._http.request(" in source and not re.search(r"requests\.(request|get|post)\(", source)
    assert sends, f"{WECHATPY} no longer sends every call through self._http: {CLIENT}"
    fetch = getattr(client, "_fetch_access_token", None)
    assert fetch is not None and str(inspect.signature(fetch)) == "(self, url, params)", (
        f"{WECHATPY} changed {client.__module__}.WeChatClient._fetch_access_token: {CLIENT}"
    )
