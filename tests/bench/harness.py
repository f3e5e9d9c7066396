"""The bench's preparation ledger over the real built-in contracts, without a node."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench import setup
from bench.plan import TxSpec
from chaincode.api import Signer
from chaincode.contracts import builtin_contracts
from chaincode.executor import TxOutcome
from chaincode.testing import ContractHarness
from sdk.roles import Role

ROLES: dict[str, tuple[Role, ...]] = {
    setup.MAKER: (Role.MANUFACTURER,),
    setup.QA: (Role.QA,),
    setup.QP: (Role.QP,),
    setup.DISTRIBUTOR: (Role.DISTRIBUTOR, Role.LOGISTICS),
    setup.PHARMACY: (Role.PHARMACY,),
}
"""The roles network/orgs.py's presets give the members the bench signs as."""


class HarnessLedger:
    """``setup.Ledger`` over a ContractHarness: each submit is one block."""

    def __init__(self) -> None:
        self.harness = ContractHarness(builtin_contracts())
        self.signers: dict[str, Signer] = {
            name: ContractHarness.signer(member.org, *ROLES[name], name=member.name)
            for name, member in setup.MEMBERS.items()
        }
        self.blocks = 0

    def run(self, specs: Sequence[TxSpec]) -> list[TxOutcome]:
        """Execute ``specs`` as one block, returning every outcome (refusals included)."""
        self.blocks += 1
        invocations = [
            self.harness.invocation(self.signers[s.signer], s.contract, s.function, s.args)
            for s in specs
        ]
        return self.harness.block(invocations)

    def submit(self, specs: Sequence[TxSpec]) -> list[Any]:
        outcomes = self.run(specs)
        refused = [o for o in outcomes if not o.ok]
        if refused:
            raise AssertionError(f"{refused[0].code}: {refused[0].message}")
        return [o.result for o in outcomes]

    def query(self, contract: str, function: str, args: dict[str, Any], *, signer: str) -> Any:
        return self.harness.query(self.signers[signer], contract, function, args)

    def now_ms(self) -> int:
        return self.harness.time_ms
