"""GroupCommit with two writers, without a database: who is batched when, and nobody left waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from handlers.core.types import Incoming, Reply, Turn
from handlers.engine.group_commit import GroupCommit


def _incoming(n: int) -> Incoming:
    return Incoming(channel="test", user_id=f"u{n}", chat_id=f"c{n}", delivery_id=f"d{n}", text="帮助")


class Writers:
    """A database's writers as seen by GroupCommit: each batch (or lone turn) runs until `go` is set."""

    def __init__(self) -> None:
        self.go = asyncio.Event()
        self.batches: list[list[str]] = []  # the users of each batch, in the order the batches began
        self.running = 0
        self.most = 0
        self.began = asyncio.Event()

    async def together(self, batch: Sequence[Incoming]) -> list[Turn]:
        return await self._run(list(batch))

    async def alone(self, incoming: Incoming) -> Turn:
        [turn] = await self._run([incoming])
        return turn

    async def _run(self, batch: list[Incoming]) -> list[Turn]:
        self.batches.append([i.user_id for i in batch])
        self.running += 1
        self.most = max(self.most, self.running)
        self.began.set()
        try:
            await self.go.wait()
        finally:
            self.running -= 1
        return [Turn(replies=[Reply(text=i.user_id)]) for i in batch]


async def _started(writers: Writers, batches: int) -> None:
    for _ in range(1000):
        if len(writers.batches) >= batches:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{batches} batches never began: {writers.batches}")


async def test_two_batches_run_at_once_and_the_turns_are_batched_in_the_order_they_came():
    writers = Writers()
    group = GroupCommit(together=writers.together, alone=writers.alone, writers=2)
    callers = [asyncio.create_task(group.submit(_incoming(n))) for n in range(40)]
    await _started(writers, 2)
    later = [asyncio.create_task(group.submit(_incoming(n))) for n in range(40, 44)]
    await asyncio.sleep(0.01)
    assert len(writers.batches) == 2  # both writers busy: the later turns wait
    writers.go.set()
    turns = await asyncio.gather(*callers, *later)

    assert [t.replies[0].text for t in turns] == [f"u{n}" for n in range(44)]  # each caller its own answer
    assert writers.most == 2
    assert [u for batch in writers.batches for u in batch] == [f"u{n}" for n in range(44)]  # first come, first batched
    assert all(len(batch) <= 16 for batch in writers.batches)


async def test_one_writer_runs_one_batch_at_a_time():
    writers = Writers()
    group = GroupCommit(together=writers.together, alone=writers.alone, writers=1)
    callers = [asyncio.create_task(group.submit(_incoming(n))) for n in range(20)]
    await _started(writers, 1)
    await asyncio.sleep(0.01)
    assert len(writers.batches) == 1
    writers.go.set()
    await asyncio.gather(*callers)
    assert writers.most == 1 and [len(b) for b in writers.batches] == [16, 4]


async def test_stopping_with_two_batches_in_flight_leaves_no_caller_waiting():
    writers = Writers()  # never told to go: the batches are in flight when the process stops
    group = GroupCommit(together=writers.together, alone=writers.alone, writers=2)
    first = [asyncio.create_task(group.submit(_incoming(n))) for n in range(4)]
    await _started(writers, 2)
    later = [asyncio.create_task(group.submit(_incoming(n))) for n in range(4, 7)]  # queued behind both
    await asyncio.sleep(0)
    assert len(group._drains) == 2
    for drain in list(group._drains):
        drain.cancel()
    done, pending = await asyncio.wait([*first, *later], timeout=5)
    assert not pending and all(task.cancelled() for task in done)


async def test_one_writer_stopping_fails_its_own_batch_and_the_waiting_the_other_batch_is_answered():
    writers = Writers()
    group = GroupCommit(together=writers.together, alone=writers.alone, writers=2)
    first = [asyncio.create_task(group.submit(_incoming(n))) for n in range(4)]
    await _started(writers, 2)
    later = [asyncio.create_task(group.submit(_incoming(n))) for n in range(4, 7)]
    await asyncio.sleep(0)
    next(iter(group._drains)).cancel()  # one of the two
    await asyncio.sleep(0.01)
    writers.go.set()
    done, pending = await asyncio.wait([*first, *later], timeout=5)

    assert not pending
    answered = [task for task in done if not task.cancelled()]
    assert len(answered) == 2 and all(task.result().replies for task in answered)  # the other batch, committed
    assert all(task.cancelled() for task in later)


async def test_a_caller_who_left_holds_their_place_until_their_turn_is_done():
    writers = Writers()
    group = GroupCommit(together=writers.together, alone=writers.alone, writers=2)
    caller = asyncio.create_task(group.submit(_incoming(0)))
    await _started(writers, 1)
    caller.cancel()  # the platform's request timed out
    await asyncio.sleep(0.01)
    # Bot.handle holds this person's lock until submit returns: their next turn must not run beside this one
    assert not caller.done()
    writers.go.set()
    await asyncio.wait([caller], timeout=5)
    assert caller.cancelled() and writers.batches == [["u0"]]
