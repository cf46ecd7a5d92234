"""A fake of the WeChat Official Account and WeCom APIs on 127.0.0.1; the real wechatpy clients talk to it.

It answers token / gettoken, message/custom/send (text, msgmenu, image), message/template/send,
message/send (text, template_card, file, image), message/update_template_card, media/get and
media/upload; records every call; issues numbered tokens (only the newest is valid, unless told
otherwise) and answers an error code, or late, or holds a call not yet taken, on demand. WeCom's template cards are
kept as the member sees them (`card_now`): message/send of a card answers a response_code, as WeCom does, and
update_template_card takes a code once (`press_code` issues one for a press; `expire_code` makes one too old), then
redraws the card.

It is served by uvicorn on the test's own event loop: a wechatpy call made on the loop instead of in a
worker thread would block the loop and never be answered, so the tests also prove the calls run off it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.fake_telegram import _serve

# Secrets and tokens with characters URL encoding changes, so that a log check sees every spelling of them.
APP_ID, APP_SECRET = "wx1234567890abcdef", "oa-app-secret:0123/4567+89ab=cdef"
CORP_ID, CORP_SECRET, AGENT_ID = "ww0123456789abcdef", "wecom-secret:0123/4567+89ab=cdef", "1000002"
CODE_REFUSED = 60140  # what public WeCom clients handle as a response_code used already or expired
OTHER_CARD_TYPES = frozenset({"text_notice", "news_notice", "vote_interaction", "multiple_interaction"})


@dataclass
class Call:
    """One API request: its path (after /cgi-bin/), query parameters, JSON body, uploaded file and its name."""

    path: str
    params: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)
    upload: bytes = b""
    filename: str = ""


def _card_ok(card: Any) -> bool:
    """A button_interaction card as WeCom takes it: a title, one to six buttons each with text and key."""
    if not isinstance(card, dict) or card.get("card_type") != "button_interaction":
        return isinstance(card, dict) and card.get("card_type") in OTHER_CARD_TYPES
    buttons = card.get("button_list")
    title = (card.get("main_title") or {}).get("title")
    return (
        bool(title)
        and bool(card.get("task_id"))
        and isinstance(buttons, list)
        and 0 < len(buttons) <= 6
        and all(b.get("text") and b.get("key") for b in buttons)
    )


class FakeWeChat:
    """Both platforms' APIs as the bot sees them, with the test's hands on every lever."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.media: dict[str, tuple[bytes, str, str]] = {}  # media_id → (content, content type, filename)
        self.tokens_issued: list[str] = []
        self.token_suffix = ""  # e.g. ":a/b+c=", characters URL encoding changes (never a "-")
        self.accept_old_tokens = False
        self.revoked: set[str] = set()
        self._failures: dict[str, list[tuple[int, str | None]]] = {}  # path → [(errcode, only for touser)]
        self._delays: dict[str, list[tuple[float, str | None]]] = {}  # path → [(seconds, only for msgtype)]
        self._ids = itertools.count(1)
        self.wecom_cards: dict[str, dict[str, Any]] = {}  # task_id → the card as the member sees it now
        self._codes: dict[str, str] = {}  # response_code → the task_id of its card
        self._codes_used: set[str] = set()
        self._holds: list[tuple[str, str | None]] = []  # path, only for touser: calls that wait, not yet taken
        self._released = asyncio.Event()
        self._deliver_held = False
        self.holding = 0  # calls waiting now under hold()
        self.port = 0
        self._server: Any = None
        self._task: Any = None
        self.app = Starlette(routes=[Route("/cgi-bin/{path:path}", self._api, methods=["GET", "POST"])])

    # ---- the test's levers ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """WECHAT_API_BASE_URL / WECOM_API_BASE_URL for the bot under test."""
        return f"http://127.0.0.1:{self.port}"

    def add_media(self, content: bytes, *, media_type: str = "image/jpeg", filename: str = "") -> str:
        """Make a media id downloadable with media/get."""
        media_id = f"MEDIA{next(self._ids)}"
        self.media[media_id] = (content, media_type, filename)
        return media_id

    def fail(self, path: str, errcode: int, *, touser: str | None = None, times: int = 1) -> None:
        """The next `times` calls of `path` (to `touser`, if given) are answered with `errcode`."""
        self._failures.setdefault(path, []).extend([(errcode, touser)] * times)

    def slow(self, path: str, seconds: float, *, msgtype: str | None = None, times: int = 1) -> None:
        """The next `times` calls of `path` (of `msgtype`, if given) are answered after `seconds`, as recorded."""
        self._delays.setdefault(path, []).extend([(seconds, msgtype)] * times)

    def hold(self, path: str, *, touser: str | None = None) -> None:
        """Calls of `path` (to `touser`, if given) wait unanswered and not yet taken until release()."""
        self._holds.append((path, touser))
        self._released = asyncio.Event()

    def release(self, *, deliver: bool) -> None:
        """Let held calls go on: taken and answered (deliver), or dropped unrecorded as a send that never arrived."""
        self._holds.clear()
        self._deliver_held = deliver
        self._released.set()

    def revoke_tokens(self) -> None:
        """Every token handed out so far stops working (as when someone else fetched one elsewhere)."""
        self.revoked.update(self.tokens_issued)

    def press_code(self, task_id: str) -> str:
        """A press's ResponseCode, as WeCom hands it in the template_card_event: it updates that card once."""
        code = f"RC{next(self._ids)}-{task_id}"
        self._codes[code] = task_id
        return code

    def expire_code(self, code: str) -> None:
        """The code is over 72 hours old: WeCom refuses it, as it refuses one used before."""
        self._codes_used.add(code)

    def card_now(self, task_id: str) -> dict[str, Any]:
        """A template card as the member sees it: as sent, or as last updated."""
        return self.wecom_cards[task_id]

    def sent(self, path: str, **match: Any) -> list[Call]:
        """The calls of `path` whose JSON body has these top-level values."""
        return [c for c in self.calls if c.path == path and all(c.body.get(k) == v for k, v in match.items())]

    def token_fetches(self) -> int:
        """How many tokens were handed out."""
        return len([c for c in self.calls if c.path in ("token", "gettoken")])

    async def start(self) -> None:
        """Listen on a free loopback port."""
        self._server, self._task, self.port = await _serve(self.app)

    async def stop(self) -> None:
        """Stop listening."""
        self.release(deliver=False)
        if self._server is not None:
            self._server.should_exit = True
            await self._task

    # ---- the API --------------------------------------------------------------------------------

    async def _api(self, request: Request) -> Response:
        path = request.path_params["path"]
        params = dict(request.query_params)
        raw = await request.body()
        body: dict[str, Any] = {}
        upload, filename, upload_type = b"", "", ""
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form()  # needs python-multipart (a dev dependency)
            media = form.get("media")
            if media is not None and not isinstance(media, str):
                upload, filename, upload_type = await media.read(), media.filename or "", media.content_type or ""
        elif raw:
            body = json.loads(raw)
        if any(p == path and (only is None or only == body.get("touser")) for p, only in self._holds):
            self.holding += 1
            try:
                await self._released.wait()
            finally:
                self.holding -= 1
            if not self._deliver_held:
                return JSONResponse({"errcode": -1, "errmsg": "system busy"}, status_code=503)
        call = Call(path, params, body, upload, filename)
        self.calls.append(call)
        delay = self._delay(path, str(body.get("msgtype", "")))
        if delay:
            await asyncio.sleep(delay)  # the request was taken (and counts as delivered); only its answer is late
        if path in ("token", "gettoken"):
            return self._token(path, params)
        if not self._token_ok(params.get("access_token", "")):
            return JSONResponse({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"})
        failure = self._failure(path, str(body.get("touser", "")))
        if failure is not None:
            return JSONResponse({"errcode": failure, "errmsg": f"fake error {failure}"})
        if path == "media/get":
            found = self.media.get(params.get("media_id", ""))
            if found is None:
                return JSONResponse({"errcode": 40007, "errmsg": "invalid media_id"})
            content, media_type, filename = found
            headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
            return Response(content, media_type=media_type, headers=headers)
        if path == "media/upload":  # kept as media/get would serve it, under the id handed out
            media_id = f"UP{next(self._ids)}"
            self.media[media_id] = (upload, upload_type, filename)
            return JSONResponse({"errcode": 0, "type": params.get("type"), "media_id": media_id})
        if path == "message/update_template_card":
            return self._update_card(body)
        if path == "message/send" and body.get("msgtype") == "template_card":
            card = body.get("template_card") or {}
            self.wecom_cards[str(card.get("task_id", ""))] = card
            code = self.press_code(str(card.get("task_id", "")))  # the sender may update its card once too
            return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": next(self._ids), "response_code": code})
        if path in ("message/custom/send", "message/send"):
            return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": next(self._ids)})
        if path == "message/template/send":
            return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": next(self._ids)})
        return JSONResponse({"errcode": 40066, "errmsg": f"invalid url {path}"})

    def _update_card(self, body: dict[str, Any]) -> Response:
        """message/update_template_card as WeCom checks it: whom, which app, a code not used before, one change."""
        code = str(body.get("response_code") or "")
        users = body.get("userids")
        whom = (isinstance(users, list) and 0 < len(users) <= 1000) or body.get("atall") == 1
        changes = [k for k in ("button", "template_card") if k in body]
        if not whom or str(body.get("agentid")) != AGENT_ID or not code or len(changes) != 1:
            return JSONResponse({"errcode": 40058, "errmsg": "invalid parameter"})
        if code in self._codes_used:  # once, within 72 hours
            return JSONResponse({"errcode": CODE_REFUSED, "errmsg": "response_code used or expired"})
        card = body.get("template_card")
        if card is not None and not _card_ok(card):
            return JSONResponse({"errcode": 40058, "errmsg": "invalid template_card"})
        self._codes_used.add(code)
        task_id = self._codes.get(code)  # codes the test made up itself belong to no card the fake knows
        if task_id is not None and task_id in self.wecom_cards:
            if card is not None:
                self.wecom_cards[task_id] = card
            else:  # every button greyed out under the one new name
                old = self.wecom_cards[task_id]
                name = str(body["button"].get("replace_name", ""))
                self.wecom_cards[task_id] = {**old, "button_list": [], "replace_text": name}
        return JSONResponse({"errcode": 0, "errmsg": "ok"})

    def _token(self, path: str, params: dict[str, str]) -> Response:
        good = (
            (params.get("appid"), params.get("secret")) == (APP_ID, APP_SECRET)
            if path == "token"
            else (params.get("corpid"), params.get("corpsecret")) == (CORP_ID, CORP_SECRET)
        )
        if not good:
            return JSONResponse({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = f"TOKEN-{path}-{len(self.tokens_issued) + 1}{self.token_suffix}"
        self.tokens_issued.append(token)
        return JSONResponse({"errcode": 0, "access_token": token, "expires_in": 7200})

    def _token_ok(self, token: str) -> bool:
        if not token or token not in self.tokens_issued or token in self.revoked:
            return False
        if self.accept_old_tokens:
            return True
        kind = token.rsplit("-", 1)[0]
        newest = [t for t in self.tokens_issued if t.rsplit("-", 1)[0] == kind][-1]
        return token == newest

    def _delay(self, path: str, msgtype: str) -> float:
        pending = self._delays.get(path, [])
        for i, (seconds, only) in enumerate(pending):
            if only is None or only == msgtype:
                del pending[i]
                return seconds
        return 0.0

    def _failure(self, path: str, touser: str) -> int | None:
        pending = self._failures.get(path, [])
        for i, (code, only) in enumerate(pending):
            if only is None or only == touser:
                del pending[i]
                return code
        return None
