"""Contracts are deterministic: the same scenario gives the same ledger, every time (issue 6
item 3; hashicorp/raft ``FSM.Apply``: "must be deterministic and produce the same result on
all peers").

Every ``tests/chaincode/contracts/scenario_*.py`` module defines ``CONTRACTS`` (a callable
returning fresh contract instances) and ``run(harness)``. Each scenario runs in two fresh
harnesses in this process, and once more in child interpreters with different
``PYTHONHASHSEED`` values, so an iteration over a set or a dict keyed by hash-randomised
values shows up as a difference.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import pkgutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from chaincode.api import Contract, Signer, Value
from chaincode.errors import InvalidTransaction
from chaincode.executor import Invocation, TxOutcome
from chaincode.testing import ContractHarness
from tests.chaincode import contracts as scenario_package

ROOT = Path(__file__).resolve().parents[2]


def scenario_names() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(scenario_package.__path__)
        if info.name.startswith("scenario_")
    )


def load(name: str) -> ModuleType:
    return importlib.import_module(f"{scenario_package.__name__}.{name}")


class RecordingHarness(ContractHarness):
    """A harness that also keeps every outcome and every query answer (or refusal)."""

    def __init__(self, contracts: Sequence[Contract]) -> None:
        super().__init__(contracts)
        self.outcomes: list[TxOutcome] = []
        self.answers: list[tuple[str, Value]] = []

    def block(
        self, invocations: Sequence[Invocation], *, time_ms: int | None = None
    ) -> list[TxOutcome]:
        outcomes = super().block(invocations, time_ms=time_ms)
        self.outcomes.extend(outcomes)
        return outcomes

    def query(self, signer: Signer, contract: str, function: str, args: Mapping[str, Any]) -> Value:
        try:
            answer = super().query(signer, contract, function, args)
        except InvalidTransaction as refused:
            self.answers.append((refused.code, refused.message))
            raise
        self.answers.append(("ok", answer))
        return answer


@dataclass(frozen=True, slots=True)
class Record:
    """Everything a scenario produced that other nodes must reproduce exactly."""

    write_sets: list[Any] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)
    outcomes: list[Any] = field(default_factory=list)
    answers: list[Any] = field(default_factory=list)

    def digest(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()


def record(module: ModuleType) -> Record:
    factory: Callable[[], list[Contract]] = module.CONTRACTS
    harness = RecordingHarness(factory())
    module.run(harness)
    return Record(harness.write_sets, harness.events, harness.outcomes, harness.answers)


def test_scenarios_are_discovered() -> None:
    assert "scenario_trace" in scenario_names()


@pytest.mark.parametrize("name", scenario_names())
def test_scenario_replays_identically(name: str) -> None:
    module = load(name)
    first, second = record(module), record(module)
    assert first.outcomes, f"{name} executed no transaction"
    assert first.write_sets == second.write_sets
    assert first.events == second.events
    assert first.outcomes == second.outcomes
    assert first.answers == second.answers


@pytest.mark.parametrize("name", scenario_names())
def test_scenario_does_not_depend_on_hash_seed(name: str) -> None:
    first, again, other = (_digest_in_child(name, seed) for seed in ("1", "1", "2"))
    if first != again:
        pytest.skip(
            f"{name} builds different inputs in each process (e.g. random certificate "
            "serials), so hash seeds cannot be compared; make its inputs reproducible"
        )
    assert other == first


def _digest_in_child(name: str, seed: str) -> str:
    code = (
        "from tests.chaincode.test_determinism import load, record; "
        f"print(record(load({name!r})).digest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()
