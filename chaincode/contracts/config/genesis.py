"""The config state at height 0, from the genesis file (issue 5, items 5 and 6).

The genesis policy is parsed like any later one and must be satisfiable by the genesis
organizations, else :class:`GenesisError` (a node must not start a chain it cannot govern).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from chaincode.api import Value
from chaincode.contracts.config.policy import parse_policy, satisfiable
from chaincode.contracts.config.state import (
    APPROVAL_TTL,
    NEXT_PROPOSAL,
    POLICY,
    TX_WINDOW,
    contract_key,
)
from chaincode.contracts.msp.errors import GenesisError
from chaincode.contracts.msp.genesis import GenesisOrgLike
from chaincode.errors import InvalidTransaction


class PinLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def code_hash(self) -> str: ...


class ConfigGenesisLike(Protocol):
    """The parts of ``node.genesis.Genesis`` the config state is built from."""

    @property
    def orgs(self) -> Sequence[GenesisOrgLike]: ...
    @property
    def contracts(self) -> Sequence[PinLike]: ...
    @property
    def governance_policy(self) -> str: ...
    @property
    def approval_ttl_ms(self) -> int: ...
    @property
    def tx_time_window_ms(self) -> int: ...


def config_genesis_state(genesis: ConfigGenesisLike) -> list[tuple[str, Value]]:
    """The config namespace's (key, value) pairs at height 0, sorted by key bytes."""
    try:
        policy = parse_policy(genesis.governance_policy)
    except InvalidTransaction as exc:
        raise GenesisError(f"genesis governance_policy: {exc.message}") from exc
    orgs = {o.id: frozenset(r.value for r in o.roles) for o in genesis.orgs}
    if not satisfiable(policy, orgs):
        raise GenesisError(f"genesis governance_policy {policy} cannot be met by its orgs")
    pairs: list[tuple[str, Value]] = [
        (POLICY, str(policy)),
        (APPROVAL_TTL, genesis.approval_ttl_ms),
        (TX_WINDOW, genesis.tx_time_window_ms),
        (NEXT_PROPOSAL, 1),
    ]
    for pin in genesis.contracts:
        pairs.append(
            (
                contract_key(pin.name),
                {
                    "name": pin.name,
                    "version": pin.version,
                    "code_hash": pin.code_hash,
                    "enabled_height": 0,
                },
            )
        )
    return sorted(pairs, key=lambda kv: kv[0].encode("utf-8"))
