"""The fault scenarios' fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.serve_process import ThreadedFakeTelegram


@pytest.fixture
def telegram() -> Iterator[ThreadedFakeTelegram]:
    """The fake Bot API in its own thread."""
    fake = ThreadedFakeTelegram()
    yield fake
    fake.stop()
