"""Routes one turn: a button press, a file, a command, or an answer inside an open conversation."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import Any

from handlers.core import payloads
from handlers.core.presses import FlowPress, GoPress
from handlers.core.types import Reply
from handlers.engine import words
from handlers.engine.context import Context
from handlers.engine.expiry import expired_notice
from handlers.engine.runner import Runner
from storage.models import Conversation
from storage.repos import conversations

SPOKEN_END = "。.!！?？ "


def clean_text(text: str) -> str:
    """Drop control characters (keeping new lines, tabs and what joins an emoji: 👨‍🔧, 🏴󠁧󠁢󠁳󠁣󠁴󠁿) and trim."""
    return "".join(ch for ch in text if ch in "\n\t" or _joins_emoji(ch) or unicodedata.category(ch)[0] != "C").strip()


def _joins_emoji(ch: str) -> bool:
    # the zero-width joiner and the tag characters of subdivision flags are format characters (Cf), yet part of
    # the emoji they sit in; other format characters (bidi overrides …) still go
    return ch == "\u200d" or "\U000e0020" <= ch <= "\U000e007f"


async def dispatch(ctx: Context) -> list[Reply]:
    """Everything the bot answers to one inbound event."""
    incoming = ctx.incoming
    conv = ctx.conversation
    notes: list[Reply] = []
    if conv is not None and (conv.expires_at <= ctx.now or conv.flow not in ctx.routes.flows):
        await conversations.clear(session=ctx.session, channel=ctx.channel, user_id=incoming.user_id)
        notes.append(expired_notice(ctx.routes, ctx.t, conv.flow))
        conv = None
    if incoming.payload is not None:
        return notes + await _press(ctx, incoming.payload, conv)
    if incoming.file is not None or incoming.file_declined:
        return notes + await _file(ctx, conv)
    text = clean_text(incoming.text or "")
    if incoming.spoken:
        text = text.rstrip(SPOKEN_END)  # recognition ends a sentence with 。 which no answer or command has
    if conv is not None and ctx.person is not None:
        return notes + await Runner(ctx, ctx.routes.flows[conv.flow], conv).on_text(text, spoken=incoming.spoken)
    if not text:
        return [*notes, Reply(text=ctx.t("engine.unsupported"))]
    if notes and ctx.routes.match(text) is None and words.control_word(text) is None:
        return notes  # an answer to a question that expired: the note says so, nothing else to add
    return notes + await run_command(ctx, text)


async def where(ctx: Context) -> list[Reply]:
    """The question an open conversation stands at, for a channel resuming a chat; nothing if none is open."""
    conv = ctx.conversation
    if conv is None or ctx.person is None or conv.expires_at <= ctx.now or conv.flow not in ctx.routes.flows:
        return []
    return await Runner(ctx, ctx.routes.flows[conv.flow], conv).current()


async def run_command(ctx: Context, text: str) -> list[Reply]:
    """Run the command a text calls, or say politely what can be done."""
    found = ctx.routes.match(text)
    if found is None:
        control = words.control_word(text)
        if ctx.person is None:
            return [Reply(text=ctx.t("engine.unbound"))]
        if control == "cancel":
            return [Reply(text=ctx.t("engine.nothing_to_cancel"))]
        if control == "help":
            found = ctx.routes.match("help")
        if found is None:
            return [Reply(text=ctx.t("engine.unknown"))]
    command, args = found
    if command.needs_person and ctx.person is None:
        return [Reply(text=ctx.t("engine.unbound"))]
    return await command.handler(ctx, args)


async def start_flow(ctx: Context, name: str, initial: dict[str, Any] | None = None) -> list[Reply]:
    """Begin a registered flow for the speaker; if one is already open, say so and show where it stands."""
    conv = await open_conversation(ctx)
    if conv is not None and conv.flow in ctx.routes.flows:
        return await Runner(ctx, ctx.routes.flows[conv.flow], conv).on_text("/" + name)
    return await Runner(ctx, ctx.routes.flows[name]).start(initial)


async def open_conversation(ctx: Context) -> Conversation | None:
    """The speaker's open conversation now: the one the turn began with, unless the turn has written it since."""
    return await conversations.still_open(
        session=ctx.session, channel=ctx.channel, user_id=ctx.incoming.user_id, read=ctx.conversation
    )


async def _press(ctx: Context, raw: str, conv: Conversation | None) -> list[Reply]:
    press = payloads.unpack(ctx.config.secret_key, raw)
    if press is None:
        if conv is not None and ctx.person is not None:
            shown = await Runner(ctx, ctx.routes.flows[conv.flow], conv).current(note=ctx.t("engine.bad_button"))
            return [replace(shown[0], toast=ctx.t("engine.bad_button")), *shown[1:]]
        return [_refused(ctx.t("engine.bad_button"))]
    if ctx.person is None:
        return [_refused(ctx.t("engine.unbound"))]
    if isinstance(press, FlowPress):
        if conv is None:  # the record was finished, cancelled or ran out: its buttons do nothing
            return [_refused(ctx.t("engine.nothing_open"))]
        return await Runner(ctx, ctx.routes.flows[conv.flow], conv).on_press(press)
    if isinstance(press, GoPress):
        if conv is not None:
            return await Runner(ctx, ctx.routes.flows[conv.flow], conv).on_text("/" + press.command)
        return await run_command(ctx, "/" + press.command)
    handler = ctx.routes.buttons.get(type(press))
    if handler is None:
        return [Reply(text=ctx.t("engine.bad_button"))]
    return await handler(ctx, press)


def _refused(text: str) -> Reply:
    """A press that does nothing: said in the chat and, where the channel has them, as the press's toast."""
    return Reply(text=text, toast=text)


async def _file(ctx: Context, conv: Conversation | None) -> list[Reply]:
    file = ctx.incoming.file
    if ctx.person is None:
        return [Reply(text=ctx.t("engine.unbound"))]
    voice = ctx.incoming.file_declined == "voice" or (file is not None and file.kind == "voice")
    if conv is None:
        return [Reply(text=ctx.t("engine.voice_unread" if voice else "engine.file_without_flow"))]
    if voice and file is None:  # no text came with it and nothing takes it: ask for the answer typed
        return await Runner(ctx, ctx.routes.flows[conv.flow], conv).current(note=ctx.t("engine.voice_unread"))
    if file is None:  # declined by the adapter; a flow that takes files may have opened since: ask again
        flow = ctx.routes.flows[conv.flow]
        taken = any(s.files for s in flow.steps)
        return [Reply(text=ctx.t("engine.file_send_again" if taken else "engine.file_not_expected"))]
    return await Runner(ctx, ctx.routes.flows[conv.flow], conv).on_file(
        {
            "kind": file.kind,
            "file_ref": file.file_ref,
            "stored_path": str(file.stored_path),
            "size": file.size,
            "media_type": file.media_type,
            "sha256": file.sha256,
            "filename": file.filename,
            "caption": file.caption,
            "channel": ctx.channel,
        }
    )
