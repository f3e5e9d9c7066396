"""Every consortium change a governance proposal can carry (issue 5, item 5).

Membership changes (organizations, nodes) are defined and applied by the msp contract; the
three below live in config state: block limits, contract pins and the governance policy.
A change is a map with a ``kind``; the proposal stores it as given, canonicalised.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal, TypeAlias

from pydantic import Field, TypeAdapter

from chaincode.api import Args, Value
from chaincode.contracts.msp.changes import (
    AddNode,
    AddOrg,
    MembershipChange,
    PromoteNode,
    RemoveNode,
    RemoveOrg,
    SetOrgCa,
)

MIN_APPROVAL_TTL_MS = 60_000
"""Matches the genesis lower bound: a shorter window could not gather approvals."""


class SetBlockLimits(Args):
    """When the leader cuts a block: at this many transactions, bytes, or milliseconds."""

    kind: Literal["set_block_limits"] = "set_block_limits"
    max_txs: Annotated[int, Field(ge=1, le=100_000)]
    max_bytes: Annotated[int, Field(ge=1024, le=64 * 1024 * 1024)]
    max_wait_ms: Annotated[int, Field(ge=1, le=60_000)]


class EnableContract(Args):
    """Pin a contract release: nodes run exactly this version and code hash from now on."""

    kind: Literal["enable_contract"] = "enable_contract"
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    version: Annotated[str, Field(pattern=r"^[0-9A-Za-z.+-]{1,32}$")]
    code_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class SetPolicy(Args):
    """Replace the governance policy (and optionally how long approvals may take)."""

    kind: Literal["set_policy"] = "set_policy"
    policy: Annotated[str, Field(min_length=1, max_length=2000)]
    approval_ttl_ms: Annotated[int, Field(ge=MIN_APPROVAL_TTL_MS)] | None = None


ConfigChange: TypeAlias = SetBlockLimits | EnableContract | SetPolicy
Change: TypeAlias = MembershipChange | ConfigChange

AnyChange = Annotated[
    AddOrg
    | RemoveOrg
    | SetOrgCa
    | AddNode
    | PromoteNode
    | RemoveNode
    | SetBlockLimits
    | EnableContract
    | SetPolicy,
    Field(discriminator="kind"),
]
"""The argument type of ``config.propose``: the ``kind`` picks the model."""

_CHANGE: TypeAdapter[Change] = TypeAdapter(AnyChange)


def parse_change(value: Mapping[str, Value]) -> Change:
    """Rebuild a stored change (its canonical map) into its model."""
    return _CHANGE.validate_python(dict(value))
