"""Knobs of one Raft node, validated once at construction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from consensus.errors import ConfigError
from consensus.types import NONE, NodeId


class Rng(Protocol):
    """The only randomness Raft uses: election timeouts (§5.2). `random.Random` fits."""

    def randrange(self, start: int, stop: int, /) -> int: ...


@dataclass(frozen=True, slots=True)
class Config:
    """Configuration of one RawNode.

    - `election_tick`: ticks without hearing from a leader before campaigning; the actual
      timeout is drawn from [election_tick, 2*election_tick) each time (§5.2).
    - `heartbeat_tick`: leader heartbeat period in ticks; must be < election_tick.
    - `applied`: last index the application applied before a restart.
    - `max_size_per_msg`: payload bytes per APPEND (at least one entry is always sent).
    - `max_committed_size_per_ready`: payload bytes of committed entries per Ready.
    - `max_inflight_msgs`: pipelined APPENDs per follower in REPLICATE state.
    - `max_uncommitted_entries_size`: leader drops proposals beyond this many uncommitted
      payload bytes (0 = unlimited).
    - `check_quorum`: leader steps down without a quorum heard within an election timeout.
    - `pre_vote`: run a pre-vote round before incrementing the term (thesis §9.6).
    """

    id: NodeId
    election_tick: int = 10
    heartbeat_tick: int = 1
    applied: int = 0
    max_size_per_msg: int = 1 << 20
    max_committed_size_per_ready: int = 1 << 26
    max_inflight_msgs: int = 256
    max_uncommitted_entries_size: int = 0
    check_quorum: bool = True
    pre_vote: bool = True

    def validate(self) -> None:
        if self.id == NONE or self.id < 0:
            raise ConfigError("id must be a positive node id")
        if self.heartbeat_tick <= 0:
            raise ConfigError("heartbeat_tick must be positive")
        if self.election_tick <= self.heartbeat_tick:
            raise ConfigError("election_tick must be greater than heartbeat_tick")
        if self.max_inflight_msgs <= 0:
            raise ConfigError("max_inflight_msgs must be positive")
        if self.max_size_per_msg <= 0 or self.max_committed_size_per_ready <= 0:
            raise ConfigError("message and ready size limits must be positive")
        if self.max_uncommitted_entries_size < 0 or self.applied < 0:
            raise ConfigError("max_uncommitted_entries_size and applied must be >= 0")
