"""Commit waiters and progress counters used by the node's API handlers."""

from __future__ import annotations

import asyncio

import pytest

from node.errors import NoLeader
from node.signals import CommitWaiters, Progress


async def test_waiter_resolves_on_commit_and_is_forgotten() -> None:
    waiters = CommitWaiters()
    first, second = waiters.wait(b"t1"), waiters.wait(b"t1")
    other = waiters.wait(b"t2")
    waiters.committed([b"t1"])
    assert first.done()
    assert second.done()
    assert not other.done()
    waiters.forget(b"t2", other)
    assert len(waiters) == 0


async def test_fail_all_raises_in_every_waiter() -> None:
    waiters = CommitWaiters()
    future = waiters.wait(b"t")
    waiters.fail_all(NoLeader("stopping"))
    with pytest.raises(NoLeader):
        await future


async def test_progress_reach_and_beyond() -> None:
    progress = Progress(3)
    await progress.reach(3)
    reached = asyncio.create_task(progress.reach(5))
    beyond = asyncio.create_task(progress.beyond(3))
    await asyncio.sleep(0)
    assert not reached.done()
    assert not beyond.done()
    progress.advance(4)
    assert await beyond == 4
    assert not reached.done()
    progress.advance(2)  # never goes back
    assert progress.value == 4
    progress.advance(5)
    await reached
