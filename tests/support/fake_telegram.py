"""A fake Telegram Bot API server on 127.0.0.1: the real python-telegram-bot talks to it over HTTP.

It answers getMe, getUpdates (long polling), deleteWebhook, setWebhook, setMyCommands, sendMessage,
editMessageText, editMessageReplyMarkup, answerCallbackQuery, sendDocument, sendPhoto, getFile and
file downloads; records every call; and can answer 429 (retry_after) or 403 (blocked) on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijk"
BOT_ID = 123456789
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Studio Bot", "username": "studio_test_bot"}
# Values PTB sends JSON-encoded in its form posts (strings are sent as they are).
JSON_PARAMS = {"reply_markup", "commands", "allowed_updates", "scope", "offset", "limit", "timeout", "message_id"}


@dataclass
class Call:
    """One request the bot made: the method, its parameters, the files it uploaded (name → (filename, bytes)), and
    when it arrived (time.monotonic)."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    params: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        assert isinstance(payload, bytes)
        filename = part.get_filename()
        if filename is not None:
            files[str(name)] = (filename, payload)
        else:
            params[str(name)] = payload.decode()
    return params, files


@dataclass
class _Failure:
    """An error the fake answers instead of the method, once `after` more calls of it have succeeded."""

    code: int
    description: str
    parameters: dict[str, Any]
    after: int


class FakeTelegram:
    """The Bot API as the bot sees it, with the test's hands on every lever."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.messages: dict[int, dict[str, Any]] = {}  # what the bot sent, by message_id
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id → (file_path, content)
        self.uploads: list[tuple[str, bytes]] = []  # (filename, content) the bot sent
        self.downloads: list[str] = []  # file paths the bot downloaded
        self.streamed: dict[str, int] = {}  # file path → bytes actually sent to the bot
        self.sizes_known = True  # False: getFile says no file_size (as for some large files)
        self.webhook: dict[str, Any] = {}
        self.commands: dict[str, list[dict[str, str]]] = {}  # language_code ("" default) → menu
        self.blocked: set[str] = set()  # chats that blocked the bot
        self.chats: dict[str, dict[str, Any]] = {}  # group chats by id; any other chat is private
        self._failures: dict[str, list[_Failure]] = {}
        self._ids = itertools.count(1000)
        self._update_ids = itertools.count(500_000)
        self._new_update = asyncio.Event()
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._download, methods=["GET"]),
            ]
        )

    # ---- the test's levers ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """TELEGRAM_API_BASE_URL for the bot under test."""
        return f"http://127.0.0.1:{self.port}"

    def next_update_id(self) -> int:
        """A fresh update id."""
        return next(self._update_ids)

    def queue_update(self, update: dict[str, Any]) -> None:
        """Hand an update to the next getUpdates (polling mode)."""
        self.updates.append(update)
        self._new_update.set()

    def add_chat(self, chat: dict[str, Any]) -> dict[str, Any]:
        """Make a group, supergroup or channel known, so that what the bot sends there carries that chat."""
        self.chats[str(chat["id"])] = chat
        return chat

    def add_file(self, content: bytes, *, path: str = "photos/file_1.jpg") -> str:
        """Make a file downloadable through getFile; return its file_id."""
        file_id = f"FILE{next(self._ids)}"
        self.files[file_id] = (path, content)
        return file_id

    def fail_once(self, method: str, *, retry_after: int = 1) -> None:
        """The next call of `method` is answered 429 Too Many Requests."""
        self.fail_next(method, 429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def fail_next(
        self, method: str, code: int, description: str, parameters: dict[str, Any] | None = None, *, after: int = 0
    ) -> None:
        """The next call of `method` (or the one after `after` more that succeed) is answered with this error."""
        self._failures.setdefault(method, []).append(_Failure(code, description, parameters or {}, after))

    def sent(self, method: str, **match: Any) -> list[Call]:
        """The calls of `method`, optionally only those whose parameters equal `match`."""
        return [
            c
            for c in self.calls
            if c.method == method and all(str(c.params.get(k)) == str(v) for k, v in match.items())
        ]

    def messages_to(self, chat_id: int | str) -> list[dict[str, Any]]:
        """Every message the bot sent to a chat, as it looks now (after edits), oldest first."""
        return [m for m in self.messages.values() if str(m["chat"]["id"]) == str(chat_id)]

    # ---- server lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free loopback port."""
        self._server, self._task, self.port = await _serve(self.app)

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            self._new_update.set()
            await self._task

    # ---- the API --------------------------------------------------------------------------------

    async def _api(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        method = request.path_params["method"]
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        files: dict[str, tuple[str, bytes]] = {}
        if content_type.startswith("multipart/form-data"):
            params, files = _parse_multipart(content_type, body)
        else:
            params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        for key in JSON_PARAMS & params.keys():
            params[key] = json.loads(params[key])
        self.calls.append(Call(method, params, files))
        pending = self._failures.get(method)
        if pending and pending[0].after > 0:
            pending[0].after -= 1
        elif pending:
            failure = pending.pop(0)
            return self._error(failure.code, failure.description, failure.parameters)
        handler: Callable[[dict[str, Any], dict[str, tuple[str, bytes]]], Any] | None = getattr(
            self, f"_m_{method}", None
        )
        if handler is None:
            return self._error(404, "Not Found")
        try:
            result = await handler(params, files)
        except _ApiError as exc:
            return self._error(exc.code, exc.description)
        return JSONResponse({"ok": True, "result": result})

    @staticmethod
    def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return JSONResponse(body, status_code=code)

    async def _download(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return Response(status_code=401)
        for path, content in self.files.values():
            if path == request.path_params["path"]:
                self.downloads.append(path)
                return StreamingResponse(self._chunks(path, content), media_type="application/octet-stream")
        return Response(status_code=404)

    async def _chunks(self, path: str, content: bytes) -> AsyncIterator[bytes]:
        """The file in 64 KB pieces, counting what was sent: a bot that stops reading stops the count."""
        self.streamed[path] = 0
        for start in range(0, len(content), 65536):
            piece = content[start : start + 65536]
            yield piece
            self.streamed[path] += len(piece)
            await asyncio.sleep(0)

    async def _m_getMe(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        return {**BOT_USER, "can_join_groups": False, "can_read_all_group_messages": False}

    async def _m_getUpdates(self, params: dict[str, Any], files: Any) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and float(params.get("timeout") or 0) > 0:
            self._new_update.clear()
            # short waits, so that a stopping bot (or server) is never held by a long poll
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout=min(float(params["timeout"]), 0.5))
        return list(self.updates[: int(params.get("limit") or 100)])

    async def _m_deleteWebhook(self, params: dict[str, Any], files: Any) -> bool:
        self.webhook = {}
        return True

    async def _m_setWebhook(self, params: dict[str, Any], files: Any) -> bool:
        self.webhook = dict(params)
        return True

    async def _m_setMyCommands(self, params: dict[str, Any], files: Any) -> bool:
        self.commands[str(params.get("language_code", ""))] = list(params["commands"])
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any], files: Any) -> bool:
        return True

    def _message(self, chat_id: str, **content: Any) -> dict[str, Any]:
        if chat_id in self.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        message_id = next(self._ids)
        chat = self.chats.get(chat_id) or {"id": int(chat_id), "type": "private", "first_name": "User"}
        message = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": BOT_USER, **content}
        self.messages[message_id] = message
        return message

    async def _m_sendMessage(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        if not str(params.get("text", "")).strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        content: dict[str, Any] = {"text": params["text"]}
        if params.get("reply_markup"):
            content["reply_markup"] = params["reply_markup"]
        return self._message(str(params["chat_id"]), **content)

    async def _m_editMessageText(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        message = self.messages.get(int(params["message_id"]))
        if message is None or str(message["chat"]["id"]) != str(params["chat_id"]):
            raise _ApiError(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if message.get("text") == params["text"] and message.get("reply_markup") == markup:
            raise _ApiError(400, "Bad Request: message is not modified")
        message["text"] = params["text"]
        message.pop("reply_markup", None)  # an edit without a keyboard removes the keyboard
        if markup:
            message["reply_markup"] = markup
        return message

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        message = self.messages.get(int(params["message_id"]))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _upload(self, files: dict[str, tuple[str, bytes]], name: str) -> tuple[str, bytes]:
        if name not in files:
            raise _ApiError(400, f"Bad Request: there is no {name} in the request")
        self.uploads.append(files[name])
        return files[name]

    async def _m_sendDocument(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
        filename, content = self._upload(files, "document")
        document: dict[str, object] = {"file_id": f"DOC{next(self._ids)}", "file_unique_id": "u", "file_name": filename}
        document["file_size"] = len(content)
        return self._message(str(params["chat_id"]), document=document, caption=params.get("caption", ""))

    async def _m_sendPhoto(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
        _, content = self._upload(files, "photo")
        photo = [{"file_id": f"PH{next(self._ids)}", "file_unique_id": "u", "width": 1, "height": 1}]
        photo[0]["file_size"] = len(content)
        return self._message(str(params["chat_id"]), photo=photo, caption=params.get("caption", ""))

    async def _m_getFile(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        file_id = str(params["file_id"])
        if file_id not in self.files:
            raise _ApiError(400, "Bad Request: invalid file_id")
        path, content = self.files[file_id]
        found: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"U{file_id}", "file_path": path}
        if self.sizes_known:
            found["file_size"] = len(content)
        return found


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


# ---- updates as Telegram sends them --------------------------------------------------------------


def user(user_id: int, *, first_name: str = "用户", language_code: str = "zh-hans") -> dict[str, Any]:
    """A Telegram user."""
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}


def group_chat(chat_id: int, *, kind: str = "group", title: str = "数控技师交流群") -> dict[str, Any]:
    """A group, supergroup or channel chat (negative ids, as Telegram gives them)."""
    return {"id": chat_id, "type": kind, "title": title}


def _message(user_id: int, language_code: str, *, chat: dict[str, Any] | None = None, **content: Any) -> dict[str, Any]:
    return {
        "message_id": int(time.time() * 1000) % 2_000_000_000,
        "date": int(time.time()),
        "chat": chat or {"id": user_id, "type": "private", "first_name": "用户"},
        "from": user(user_id, language_code=language_code),
        **content,
    }


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram marks in a text: a leading /command (with its @bot), and @mentions."""
    found: list[dict[str, Any]] = []
    if text.startswith("/"):
        found.append({"type": "bot_command", "offset": 0, "length": _utf16(text.split()[0])})
    for match in re.finditer(r"(?<![A-Za-z0-9_/])@[A-Za-z0-9_]{5,32}", text):
        found.append({"type": "mention", "offset": _utf16(text[: match.start()]), "length": _utf16(match.group())})
    return found


def text_update(
    update_id: int,
    user_id: int,
    text: str,
    *,
    language_code: str = "zh-hans",
    chat: dict[str, Any] | None = None,
    reply_to: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A text message (in the user's private chat unless `chat` is given), its commands and mentions marked."""
    content: dict[str, Any] = {"text": text}
    if marked := entities(text):
        content["entities"] = marked
    if reply_to is not None:
        content["reply_to_message"] = reply_to
    return {"update_id": update_id, "message": _message(user_id, language_code, chat=chat, **content)}


def channel_post_update(update_id: int, chat: dict[str, Any], text: str) -> dict[str, Any]:
    """A post in a channel: it has no sender, only the channel's chat."""
    post = {"message_id": update_id, "date": int(time.time()), "chat": chat, "sender_chat": chat, "text": text}
    if marked := entities(text):
        post["entities"] = marked
    return {"update_id": update_id, "channel_post": post}


def in_chat(message: dict[str, Any], chat: dict[str, Any]) -> dict[str, Any]:
    """The same message as it would look in another chat (a card that reached a group)."""
    return {**message, "chat": chat}


def callback_update(
    update_id: int, user_id: int, message: dict[str, Any], data: str, *, language_code: str = "zh-hans"
) -> dict[str, Any]:
    """A press of a button under one of the bot's messages."""
    query = {
        "id": f"CQ{update_id}",
        "from": user(user_id, language_code=language_code),
        "chat_instance": "ci",
        "message": message,
        "data": data,
    }
    return {"update_id": update_id, "callback_query": query}


def photo_update(
    update_id: int,
    user_id: int,
    sizes: list[tuple[str, int]],
    *,
    caption: str | None = None,
    chat: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A photo in several sizes: (file_id, side in pixels), smallest first, as Telegram sends them."""
    photo = [{"file_id": fid, "file_unique_id": f"U{fid}", "width": side, "height": side} for fid, side in sizes]
    content: dict[str, Any] = {"photo": photo}
    if caption:
        content["caption"] = caption
        if marked := entities(caption):
            content["caption_entities"] = marked
    return {"update_id": update_id, "message": _message(user_id, "zh-hans", chat=chat, **content)}


def voice_update(update_id: int, user_id: int, file_id: str, *, size: int, duration: int = 4) -> dict[str, Any]:
    """A voice message: Telegram sends the recording, no text of it."""
    voice = {"file_id": file_id, "file_unique_id": f"U{file_id}", "duration": duration, "mime_type": "audio/ogg"}
    return {"update_id": update_id, "message": _message(user_id, "zh-hans", voice={**voice, "file_size": size})}


def document_update(
    update_id: int,
    user_id: int,
    file_id: str,
    *,
    file_name: str,
    mime_type: str,
    file_size: int | None = None,
    caption: str | None = None,
    chat: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A file sent as a document."""
    document: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"U{file_id}", "file_name": file_name}
    document["mime_type"] = mime_type
    if file_size is not None:
        document["file_size"] = file_size
    content: dict[str, Any] = {"document": document}
    if caption:
        content["caption"] = caption
        if marked := entities(caption):
            content["caption_entities"] = marked
    return {"update_id": update_id, "message": _message(user_id, "zh-hans", chat=chat, **content)}


def button_labels(message: dict[str, Any]) -> list[str]:
    """The labels of a message's inline keyboard, in reading order."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b["text"] for row in rows for b in row]


def button_data(message: dict[str, Any], label: str) -> str:
    """The callback data of the button with this label."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    for row in rows:
        for b in row:
            if b["text"] == label:
                return str(b["callback_data"])
    raise LookupError(f"no button {label!r} in {button_labels(message)}")


async def until(predicate: Callable[[], bool], *, within: float = 15.0, what: str = "condition") -> None:
    """Wait until `predicate()` holds (checked every 10 ms)."""
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def _serve(app: Any, *, lifespan: bool = False) -> tuple[uvicorn.Server, asyncio.Task[None], int]:
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on such sockets, and without it every response
    # (headers and body written apart) waits ~40 ms for the client's delayed ACK
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, log_level="warning", lifespan="on" if lifespan else "off", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # uvicorn offers a flag, not an event
        if task.done():
            task.result()  # startup failed: raise why
            raise RuntimeError("uvicorn stopped during startup")
        await asyncio.sleep(0.01)
    return server, task, port


@asynccontextmanager
async def serving(app: Any, *, lifespan: bool = False) -> AsyncIterator[str]:
    """Serve an ASGI app with a real uvicorn on a free loopback port (running its lifespan if asked); yield its URL."""
    server, task, port = await _serve(app, lifespan=lifespan)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
