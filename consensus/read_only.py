"""ReadIndex bookkeeping on the leader (§6.4, thesis §6.4).

A read request records the commit index at arrival; the leader then sends a heartbeat round
carrying the request's context. Once a majority of voters echo the context, the leader knows
it was still leader when the request arrived, so any state machine that has applied that
index can answer the read linearizably. Requests are answered in arrival order: confirming
a later one confirms every earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from consensus.messages import Message
from consensus.types import NodeId


@dataclass(slots=True)
class ReadIndexStatus:
    request: Message
    index: int
    acks: set[NodeId] = field(default_factory=set)


class ReadOnly:
    def __init__(self) -> None:
        self._pending: dict[bytes, ReadIndexStatus] = {}
        self._queue: list[bytes] = []

    def add_request(self, index: int, request: Message, self_id: NodeId) -> None:
        ctx = request.context
        if ctx in self._pending:
            return  # the same context is already being confirmed
        self._pending[ctx] = ReadIndexStatus(request, index, {self_id})
        self._queue.append(ctx)

    def recv_ack(self, node: NodeId, ctx: bytes) -> dict[NodeId, bool] | None:
        status = self._pending.get(ctx)
        if status is None:
            return None
        status.acks.add(node)
        return dict.fromkeys(status.acks, True)

    def advance(self, ctx: bytes) -> list[ReadIndexStatus]:
        """Pop every request up to and including `ctx` (they are all confirmed)."""
        if ctx not in self._pending:
            return []
        cut = self._queue.index(ctx) + 1
        done = [self._pending.pop(c) for c in self._queue[:cut]]
        del self._queue[:cut]
        return done

    def last_pending_ctx(self) -> bytes | None:
        return self._queue[-1] if self._queue else None

    def __len__(self) -> int:
        return len(self._queue)
