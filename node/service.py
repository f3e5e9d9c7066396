"""The boundary between the HTTP API and the node core.

The API layer (``node.api``) only talks to a :class:`LedgerService`; the node core implements
it over LMDB, the block pipeline and Raft, and tests implement it in memory. Everything here
is plain data: the API turns it into JSON or msgpack.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from chaincode.api import Value
from sdk.keys import PublicKey
from sdk.roles import Role


class Consistency(StrEnum):
    """How current a read must be (DESIGN.md: ReadIndex for linearizable reads)."""

    LINEARIZABLE = "linearizable"
    """Confirmed with the leader through ReadIndex; waits until this node has applied it."""
    STALE = "stale"
    """Whatever this node has applied; fast, may lag the leader."""


class TxState(StrEnum):
    PENDING = "pending"
    """Accepted by a node, not yet in a committed block (or unknown to this node yet)."""
    COMMITTED = "committed"
    """In a committed block; ``code`` says whether it executed (``ok``) or was rejected."""
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Receipt:
    """Where and how a transaction ended up."""

    tx_id: str
    state: TxState
    code: str = ""
    message: str = ""
    height: int | None = None
    index: int | None = None
    block_hash: str | None = None
    block_time_ms: int | None = None
    result: Value = None


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """The answer to one submitted transaction: accepted (pending/committed) or refused."""

    tx_id: str
    accepted: bool
    error_code: str = ""
    error_message: str = ""
    receipt: Receipt | None = None


@dataclass(frozen=True, slots=True)
class StateEntry:
    key: str
    value: Value
    height: int
    tx_index: int


@dataclass(frozen=True, slots=True)
class Page:
    """A page of results and the cursor for the next one (None: no more)."""

    items: list[Any]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class BlockView:
    """A block as served: header fields, transactions (wire bytes) and result codes."""

    height: int
    block_hash: str
    header: Mapping[str, Value]
    tx_ids: list[str]
    results: list[str]
    transactions: list[bytes]
    raw: bytes
    """The block's canonical encoding, for clients that verify it themselves."""


@dataclass(frozen=True, slots=True)
class InclusionProof:
    tx_id: str
    height: int
    index: int
    tree_size: int
    path: list[str]
    """Sibling hashes, hex, leaf to root."""
    tx_root: str
    block_hash: str
    header: Mapping[str, Value]
    checkpoints: list[Mapping[str, Value]]
    """Signed (height, block_hash, state_root) from the nodes that have applied the block."""


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    height: int
    tx_index: int
    event_index: int
    tx_id: str
    contract: str
    type: str
    payload: Value


@dataclass(frozen=True, slots=True)
class PeerHealth:
    node_id: int
    connected: bool
    match_index: int | None = None
    last_error: str = ""


@dataclass(frozen=True, slots=True)
class Health:
    node_id: int
    chain_id: str
    role: str
    """leader, follower, candidate, pre_candidate or learner."""
    leader_id: int | None
    term: int
    height: int
    applied_index: int
    commit_index: int
    fork_alarm: str | None
    """Set when a checkpoint from a peer disagrees with ours: the node stopped applying."""
    peers: list[PeerHealth] = field(default_factory=list)
    certificate_warnings: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.fork_alarm is None and self.leader_id is not None


class IdentityStatus(StrEnum):
    """Whether an enrolled key may act now, as the committed msp state says."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    """Suspended by a regulator (``msp.suspend``); may be reinstated."""
    REVOKED = "revoked"
    """Revoked by its org, retired by rotation, or the key of a removed node."""
    ORG_REMOVED = "org_removed"
    """Its organization left the consortium (``config`` ``remove_org``)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """An enrolled key (member or node) as the committed ``msp`` state knows it.

    ``status`` follows ``resolve_signer``'s order (revoked, then org removed, then
    suspended); certificate validity is not folded in: the API checks ``not_before_ms`` /
    ``not_after_ms`` against its own clock.
    """

    key_id: str
    """64 lower-case hex digits."""
    org_id: str
    roles: frozenset[Role]
    status: IdentityStatus
    public_key: PublicKey
    not_before_ms: int
    not_after_ms: int


@dataclass(frozen=True, slots=True)
class KeyVersion:
    """One committed version of a key with where and when it was written (audit export)."""

    key: str
    value: Value
    """None: the key was deleted by this write."""
    height: int
    tx_index: int
    tx_id: str
    block_time_ms: int


class LedgerService(Protocol):
    """What the API needs from a node. Errors are ``sdk.errors`` / ``chaincode.errors`` types."""

    chain_id: str

    async def submit(
        self, transactions: list[bytes], *, wait: bool, timeout_s: float
    ) -> list[SubmitResult]: ...

    def receipt(self, tx_id: str) -> Receipt: ...

    async def get_state(
        self, contract: str, key: str, *, consistency: Consistency
    ) -> StateEntry | None: ...

    async def range_state(
        self,
        contract: str,
        prefix: str,
        *,
        cursor: str | None,
        limit: int,
        consistency: Consistency,
    ) -> Page: ...

    def history(self, contract: str, key: str, *, cursor: str | None, limit: int) -> Page: ...

    def block_by_height(self, height: int) -> BlockView | None: ...

    def block_by_hash(self, block_hash: str) -> BlockView | None: ...

    def height(self) -> int: ...

    def proof(self, tx_id: str) -> InclusionProof | None: ...

    async def query(
        self, contract: str, function: str, args: Mapping[str, Any], *, signer_key_id: str | None
    ) -> Value: ...

    def events(
        self, *, from_height: int, contracts: frozenset[str], types: frozenset[str]
    ) -> AsyncIterator[LedgerEvent]: ...

    def health(self) -> Health: ...

    def metrics(self) -> str:
        """Prometheus text exposition format."""
        ...

    def identity(self, key_id: str) -> Identity | None:
        """The enrolled key ``key_id`` (64 lower-case hex) from committed msp state, whatever
        its status (revoked and suspended keys too); None when it was never enrolled."""
        ...

    def audit_versions(
        self,
        contract: str,
        prefix: str,
        *,
        since_ms: int | None,
        until_ms: int | None,
        cursor: str | None,
        limit: int,
    ) -> Page:
        """Every committed version (deletions included, as ``value`` None) of every key of
        ``contract`` starting with ``prefix``, as :class:`KeyVersion` items ordered by
        (key, height, tx_index), keeping those whose block time is in ``[since_ms,
        until_ms)`` (None: unbounded). Keys deleted since are included. Paginated like
        :meth:`history`; ``cursor`` is opaque."""
        ...
