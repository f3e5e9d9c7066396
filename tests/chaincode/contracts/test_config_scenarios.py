"""The msp and config scenarios run clean and write the same state every time they run."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

from chaincode.testing import ContractHarness
from tests.chaincode.contracts import scenario_config, scenario_msp


@pytest.mark.parametrize("scenario", [scenario_msp, scenario_config], ids=lambda m: m.__name__)
def test_scenario_is_deterministic(scenario: ModuleType) -> None:
    runs = []
    for _ in range(2):
        contracts: Callable[[], list[object]] = scenario.CONTRACTS
        harness = ContractHarness(contracts())
        scenario.run(harness)
        runs.append((harness.write_sets, [(e.contract, e.type, e.payload) for e in harness.events]))
    assert runs[0] == runs[1]
    assert any(runs[0][0])


def test_config_scenario_leaves_the_consortium_it_describes() -> None:
    harness = ContractHarness(scenario_config.CONTRACTS())
    scenario_config.run(harness)
    me = scenario_msp.signer(harness, "nmpa/admin")
    orgs = harness.query(me, "msp", "orgs", {})
    assert [(o["org_id"], o["status"]) for o in orgs] == [
        ("distrib", "removed"),
        ("nmpa", "active"),
        ("pharmaco", "active"),
        ("pharmacy", "active"),
        ("wholesale", "active"),
    ]
    types = [e.type for e in harness.events if e.contract == "config"]
    assert types.count("applied") == 9
    assert types.count("withdrawn") == 1
