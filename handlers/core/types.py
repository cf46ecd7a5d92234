"""The plain values the engine trades with every channel: no platform object crosses this line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Button:
    """A button: what it says, and the (signed) payload a press sends back."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class InboundFile:
    """A photo or file a user sent, already downloaded and stored by the adapter."""

    kind: str  # "photo" | "document" | "voice" (a voice message with no text: kept as a file)
    file_ref: str  # the platform's reference (Telegram file_id, WeChat media_id, ...)
    stored_path: Path
    size: int
    media_type: str
    sha256: str
    filename: str = ""
    caption: str = ""  # the words sent with it (not a command): kept as the file's description


class Documents(StrEnum):
    """How a channel gets a document (an export, a workbook) to its user."""

    ATTACHED = "attached"  # sent as a file
    LINKED = "linked"  # only photos travel: a document becomes a signed download link
    SAVED = "saved"  # the user reads this machine's disk (the console): the file's path is shown


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a channel can do, filled in by its adapter: handlers decide by this, never by the channel's name."""

    documents: Documents = Documents.ATTACHED
    tappable_buttons: bool = True  # False: buttons are shown as numbered options to type
    edits_pressed: bool = False  # an outcome_of_press reply replaces the pressed message and its buttons


@dataclass(frozen=True, slots=True)
class Incoming:
    """One inbound event from any channel, normalised."""

    channel: str  # "telegram" | "wechat" | "wecom" | "console" | "test"
    user_id: str  # the sender's id on that channel
    chat_id: str  # where replies go on that channel
    delivery_id: str  # unique per delivery on that channel; retries carry the same id
    text: str | None = None
    payload: str | None = None  # a button press
    file: InboundFile | None = None
    received_at: datetime | None = None
    user_language: str | None = None  # the platform's hint, used before the person has chosen
    # False for a group chat: nothing personal is shown there, and its chat is nobody's push target
    private: bool = True
    capabilities: Capabilities = Capabilities()
    # the channel sends the replies after the turn and says when they are out (Bot.replied): until then
    # they are owed, and a crash in between has them delivered with the sender's next turn
    confirms_replies: bool = False
    # with confirms_replies: the replies the channel sends after its answer, which are all that is owed (the rest
    # travel in the answer itself, which the platform asks for again until it has it); None: every reply
    sent_after: Callable[[Sequence[Reply]], list[Reply]] | None = None
    # a platform QR code scan: its scene may be any business's marketing code, so a wrong one is no guess
    scanned: bool = False
    # "photo" | "document" | "voice" the adapter did not fetch: nobody bound was in a flow taking files
    file_declined: str | None = None
    # the text is the platform's speech recognition of a voice message: shown back before it is taken
    spoken: bool = False


@dataclass(frozen=True, slots=True)
class OutFile:
    """A file the bot sends: an export, a chart, a photo."""

    path: Path
    filename: str
    media_type: str
    kind: str = "document"  # "document" | "photo"
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """One message from the bot: text, rows of buttons, and files."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    files: tuple[OutFile, ...] = ()
    # set when this reply reports the outcome of a button press: channels that can edit the
    # pressed message (Capabilities.edits_pressed) show this text there and remove its buttons.
    outcome_of_press: bool = False
    # set when this reply is the pressed message drawn again (a multi-select toggle): a channel that may edit a
    # message as often as it likes (Telegram) redraws it in place instead of sending a copy of the question.
    redraws_pressed: bool = False
    # a few words for a press's toast (an expired or refused press), where the channel has toasts
    toast: str = ""

    def all_buttons(self) -> list[Button]:
        """The buttons in reading order."""
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True, slots=True)
class Turn:
    """What the engine answers to one Incoming: replies to the sender, in order."""

    replies: list[Reply] = field(default_factory=list)
    duplicate: bool = False  # the delivery was seen before and nothing was done


def reply_to_dict(reply: Reply) -> dict[str, object]:
    """A Reply as JSON-ready data (for the outbox)."""
    return {
        "text": reply.text,
        "buttons": [[{"label": b.label, "payload": b.payload} for b in row] for row in reply.buttons],
        "files": [
            {
                "path": str(f.path),
                "filename": f.filename,
                "media_type": f.media_type,
                "kind": f.kind,
                "caption": f.caption,
            }
            for f in reply.files
        ],
    }


def reply_from_dict(data: dict[str, object]) -> Reply:
    """The Reply that `reply_to_dict` wrote."""
    rows = data.get("buttons") or []
    files = data.get("files") or []
    assert isinstance(rows, list) and isinstance(files, list)
    return Reply(
        text=str(data.get("text", "")),
        buttons=tuple(tuple(Button(label=b["label"], payload=b["payload"]) for b in row) for row in rows),
        files=tuple(
            OutFile(
                path=Path(f["path"]),
                filename=f["filename"],
                media_type=f["media_type"],
                kind=f.get("kind", "document"),
                caption=f.get("caption", ""),
            )
            for f in files
        ),
    )
