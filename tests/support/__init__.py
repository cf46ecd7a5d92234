"""Test support: a recording fake channel, conversation transcripts, a seeded world, the outbox as inboxes."""

from tests.support.clock import Clock
from tests.support.inbox import Inbox, RecordingPusher
from tests.support.transcript import Transcript, make_bot, verify_dialog
from tests.support.world import World, add_identity, add_studio, make_world

__all__ = [
    "Clock",
    "Inbox",
    "RecordingPusher",
    "Transcript",
    "World",
    "add_identity",
    "add_studio",
    "make_bot",
    "make_world",
    "verify_dialog",
]
