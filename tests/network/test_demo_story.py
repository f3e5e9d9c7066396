"""The demo story against the real contracts in memory: every step is accepted as the
preset member that signs it, the ledger ends as the demo claims, and seeding again is safe."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from chaincode.api import Signer
from chaincode.contracts import builtin_contracts
from chaincode.testing import ContractHarness
from network.demo import catalog
from network.demo.catalog import DemoCalendar, DemoWorld, MemberRef
from network.demo.errors import DemoPartlySeeded, DemoRefused
from network.demo.story import Outcome, Progress, SeedReport, Story, survey
from network.orgs import PRESETS
from sdk.keys import SigningKey
from sdk.roles import Role

DAY = date(2026, 3, 9)
NOW_MS = 1_773_057_600_000  # 2026-03-09T12:00:00Z
AUDITOR = ContractHarness.signer("regulator", Role.REGULATOR, name="auditor")


def _signer(member: MemberRef) -> Signer:
    """The member with the roles the preset org gives it (network/orgs.py)."""
    spec = next(m for m in PRESETS[member.org].members if m.name == member.name)
    return ContractHarness.signer(member.org, *spec.roles, name=member.name)


class Interrupted(Exception):
    pass


@dataclass
class HarnessLedger:
    """The story's ledger over ContractHarness: one block per transaction, 1 s apart."""

    harness: ContractHarness = field(
        default_factory=lambda: ContractHarness(builtin_contracts(), start_time_ms=NOW_MS)
    )
    submitted: list[tuple[str, str]] = field(default_factory=list)
    stop_after: int | None = None

    def submit(
        self, member: MemberRef, contract: str, function: str, args: Mapping[str, Any]
    ) -> Outcome:
        if self.stop_after is not None and len(self.submitted) >= self.stop_after:
            raise Interrupted
        self.submitted.append((contract, function))
        outcome = self.harness.invoke(_signer(member), contract, function, args)
        return Outcome(outcome.code, outcome.message, outcome.result)

    def query(
        self, member: MemberRef, contract: str, function: str, args: Mapping[str, Any]
    ) -> Any:
        return self.harness.query(_signer(member), contract, function, args)

    def verify(self, code: str) -> Mapping[str, Any]:
        answer = self.harness.query(AUDITOR, "trace", "verify", {"code": code})
        assert isinstance(answer, dict)
        return answer

    def state(self, contract: str, key: str) -> Any:
        return self.harness.state.get(contract, key)

    def clock(self) -> int:
        return self.harness.time_ms


def _world(day: date = DAY) -> DemoWorld:
    return DemoWorld(DemoCalendar(day, NOW_MS))


def _tell(ledger: HarnessLedger, world: DemoWorld | None = None) -> SeedReport:
    story = Story(ledger, world or _world(), SigningKey.from_seed(bytes(32)), ledger.clock)
    return story.tell()


@pytest.fixture(scope="module")
def seeded() -> tuple[HarnessLedger, SeedReport]:
    ledger = HarnessLedger()
    return ledger, _tell(ledger)


def test_every_step_is_accepted_and_the_report_says_what_happened(
    seeded: tuple[HarnessLedger, SeedReport],
) -> None:
    ledger, report = seeded
    assert not report.already_seeded
    assert report.transactions == len(ledger.submitted) == 37
    assert report.recall_holders == ("distributor",)
    cold = report.cold_chain
    assert cold is not None
    assert (cold.readings, cold.min_centi_c, cold.max_centi_c, cold.excursion) == (
        48,
        430,
        580,
        False,
    )
    assert cold.mkt_c is not None
    assert catalog.STORAGE_MIN_CENTI_C < float(cold.mkt_c) * 100 < catalog.STORAGE_MAX_CENTI_C


def test_the_dispensed_and_the_recalled_pack_verify_as_the_demo_says(
    seeded: tuple[HarnessLedger, SeedReport],
) -> None:
    ledger, report = seeded
    dispensed = ledger.verify(report.world.dispensed_pack.hri)
    assert (dispensed["verified"], dispensed["status"], dispensed["recalled"]) == (
        True,
        "dispensed",
        False,
    )
    assert dispensed["batch_release"] == "released"
    recalled = ledger.verify(report.world.recalled_pack.hri)
    assert (recalled["verified"], recalled["recalled"], recalled["additionalInfo"]) == (
        True,
        True,
        "Recalled",
    )


def test_custody_ends_where_the_story_leaves_it(seeded: tuple[HarnessLedger, SeedReport]) -> None:
    ledger, report = seeded
    world = report.world
    case = ledger.state("trace", f"code/{world.shipped.case.key}")
    pallet = ledger.state("trace", f"code/{world.pallet}")
    recalled_case = ledger.state("trace", f"code/{world.recalled.case.key}")
    assert (case["owner"], pallet["owner"], recalled_case["owner"]) == (
        "pharmacy",
        "distributor",
        "distributor",
    )
    assert ledger.state("trace", f"parent/{world.recalled.case.key}") is None  # off the pallet
    assert ledger.state("coldchain", f"leg/{catalog.LEG}")["status"] == "closed"
    for lot in world.lots:
        info = ledger.query(catalog.MAKER_QP, "release", "batch_info", catalog.batch_ref(lot))
        assert info["status"] == "released"
        assert catalog.MARKET in info["released_markets"]


def test_seeding_a_seeded_ledger_submits_nothing(seeded: tuple[HarnessLedger, SeedReport]) -> None:
    ledger, _ = seeded
    before = len(ledger.submitted)
    later = _world(DAY + timedelta(days=3))
    report = _tell(ledger, later)
    assert report.already_seeded
    assert len(ledger.submitted) == before
    # The codes it reports carry the dates they were printed with, not today's.
    assert report.world.calendar.today == DAY
    assert report.world.dispensed_pack.expiry == _world().dispensed_pack.expiry


@pytest.mark.parametrize("stopped_after", [3, 9, 12, 14, 17])
def test_a_run_interrupted_before_commissioning_resumes(stopped_after: int) -> None:
    ledger = HarnessLedger(stop_after=stopped_after)
    with pytest.raises(Interrupted):
        _tell(ledger)
    assert survey(ledger, _world()).progress is Progress.FRESH
    ledger.stop_after = None
    report = _tell(ledger)
    assert not report.already_seeded
    assert survey(ledger, _world()).progress is Progress.SEEDED


def test_a_run_interrupted_after_commissioning_asks_for_a_wipe() -> None:
    ledger = HarnessLedger(stop_after=25)
    with pytest.raises(Interrupted):
        _tell(ledger)
    ledger.stop_after = None
    with pytest.raises(DemoPartlySeeded, match="wipe the ledgers"):
        _tell(ledger)


class RefusingLedger(HarnessLedger):
    def submit(
        self, member: MemberRef, contract: str, function: str, args: Mapping[str, Any]
    ) -> Outcome:
        if function == "ship":
            return Outcome("trace.batch_not_released", "not released for DE", None)
        return super().submit(member, contract, function, args)


def test_a_refused_step_stops_the_story_and_names_the_step() -> None:
    with pytest.raises(DemoRefused, match=r"trace\.ship as operator@manufacturer") as caught:
        _tell(RefusingLedger())
    assert caught.value.code == "trace.batch_not_released"
