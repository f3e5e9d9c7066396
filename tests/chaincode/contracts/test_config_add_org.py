"""config add_org enrolls the new organization's first admins in the same transaction, so
the new org can enroll its members (docs/governance.md, ``add_org``)."""

from __future__ import annotations

from typing import Any

import pytest

from chaincode.api import Value
from chaincode.contracts.msp.certs import moment_of
from chaincode.contracts.msp.changes import MAX_FOUNDING_ADMINS
from chaincode.testing import ContractHarness
from sdk import pki
from sdk.roles import Role
from tests.chaincode.contracts.scenario_msp import (
    DAY,
    act,
    contracts,
    key_id,
    member_pem,
    node_pem,
    ok,
    seed,
    signer,
)
from tests.chaincode.contracts.test_config import ADD_ORG, DISTRIB, NMPA, PHARMACO, adopt, propose

ADMIN = "wholesale/admin"


@pytest.fixture
def ledger() -> ContractHarness:
    harness = ContractHarness(contracts())
    seed(harness)
    return harness


def with_admins(*pems: str) -> dict[str, Any]:
    return {**ADD_ORG, "admins": list(pems)}


def as_map(value: Value) -> dict[str, Any]:
    assert isinstance(value, dict), value
    return value


def failure_of(final: Value) -> tuple[str, str, str]:
    """(status, failure code, failure message) of a proposal view."""
    view = as_map(final)
    failure = as_map(view["failure"])
    return view["status"], failure["code"], failure["message"]


def test_the_founding_admins_are_enrolled_and_can_enroll_members(
    ledger: ContractHarness,
) -> None:
    second = member_pem("wholesale", "admin2", (Role.ADMIN, Role.DISTRIBUTOR))
    adopt(ledger, with_admins(ADD_ORG["admins"][0], second))

    enrolled = ledger.events_of("msp", "enrolled")
    assert [(as_map(e)["key_id"], as_map(e)["org_id"]) for e in enrolled] == [
        (key_id(ADMIN), "wholesale"),
        (key_id("wholesale/admin2"), "wholesale"),
    ]
    types = [e.type for e in ledger.events if e.contract == "msp"]
    assert types == ["org_added", "enrolled", "enrolled"]
    assert signer(ledger, ADMIN).roles == frozenset({Role.ADMIN})
    assert signer(ledger, "wholesale/admin2").roles == frozenset({Role.ADMIN, Role.DISTRIBUTOR})
    members = ledger.query(signer(ledger, PHARMACO), "msp", "list_members", {"org_id": "wholesale"})
    assert isinstance(members, list)
    assert {(as_map(m)["key_id"], as_map(m)["status"], as_map(m)["kind"]) for m in members} == {
        (key_id(ADMIN), "active", "member"),
        (key_id("wholesale/admin2"), "active", "member"),
    }

    picker = member_pem("wholesale", "picker", (Role.DISTRIBUTOR,))
    ok(act(ledger, ADMIN, "msp", "enroll", {"cert_pem": picker}))
    assert signer(ledger, "wholesale/picker").org_id == "wholesale"
    # The founding admin is an admin like any other: the last one cannot be revoked.
    ok(
        act(
            ledger,
            ADMIN,
            "msp",
            "revoke",
            {"key_id": key_id("wholesale/admin2"), "reason": "left"},
        )
    )
    last = act(ledger, ADMIN, "msp", "revoke", {"key_id": key_id(ADMIN), "reason": "x"})
    assert last.code == "msp.last_admin"


@pytest.mark.parametrize(
    ("admins", "code"),
    [
        ([], "contract.invalid_arguments"),
        (
            [
                member_pem("wholesale", f"a{i}", (Role.ADMIN,))
                for i in range(MAX_FOUNDING_ADMINS + 1)
            ],
            "contract.invalid_arguments",
        ),
        ([member_pem("wholesale", "clerk", (Role.DISTRIBUTOR,))], "msp.not_admin_certificate"),
        ([node_pem("wholesale", "node9")], "msp.node_certificate"),
        ([member_pem("nmpa", "admin9", (Role.ADMIN,))], "cert.issuer_mismatch"),
        (
            [member_pem("wholesale", "boss", (Role.ADMIN, Role.REGULATOR))],
            "msp.role_not_allowed",
        ),
        (
            [member_pem("wholesale", "old", (Role.ADMIN,), not_after=pki.utc(2026, 1, 1))],
            "cert.expired",
        ),
        (
            [member_pem("wholesale", "again", (Role.ADMIN,), key_name="pharmaco/admin")],
            "msp.already_enrolled",
        ),
        ([ADD_ORG["admins"][0], ADD_ORG["admins"][0]], "msp.bad_admins"),
        (
            [
                ADD_ORG["admins"][0],
                member_pem("wholesale", "again", (Role.ADMIN, Role.DISTRIBUTOR), key_name=ADMIN),
            ],
            "msp.bad_admins",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else f"{len(v)} admins",
)
def test_bad_founding_admins_are_refused_at_proposal(
    ledger: ContractHarness, admins: list[str], code: str
) -> None:
    outcome = propose(ledger, PHARMACO, with_admins(*admins))
    assert outcome.code == code, outcome.message
    if admins and code != "contract.invalid_arguments":
        assert outcome.message.startswith(f"admins[{len(admins) - 1}]: "), outcome.message
    assert ledger.write_sets[-1] == []


def test_a_refused_admin_is_named_by_its_position(ledger: ContractHarness) -> None:
    other_ca = member_pem("nmpa", "admin9", (Role.ADMIN,))
    outcome = propose(ledger, PHARMACO, with_admins(ADD_ORG["admins"][0], other_ca))
    assert outcome.message.startswith("admins[1]: "), outcome.message


def test_an_org_that_may_not_grant_admin_cannot_be_added(ledger: ContractHarness) -> None:
    outcome = propose(ledger, PHARMACO, {**ADD_ORG, "roles": ["distributor"]})
    assert outcome.code == "msp.role_not_allowed", outcome.message


def test_an_admin_key_enrolled_while_approvals_gather_fails_the_change(
    ledger: ContractHarness,
) -> None:
    ok(propose(ledger, PHARMACO, ADD_ORG))
    taken = member_pem("pharmaco", "admin3", (Role.ADMIN,), key_name=ADMIN)
    ok(act(ledger, PHARMACO, "msp", "enroll", {"cert_pem": taken}))
    ok(act(ledger, DISTRIB, "config", "approve", {"proposal_id": 1}))
    final = ok(act(ledger, NMPA, "config", "approve", {"proposal_id": 1}))
    assert failure_of(final)[:2] == ("failed", "msp.already_enrolled")
    assert ledger.events_of("msp", "org_added") == []
    assert signer(ledger, ADMIN).org_id == "pharmaco"


def test_an_admin_certificate_expired_by_apply_time_fails_the_change(
    ledger: ContractHarness,
) -> None:
    soon = ledger.time_ms + 2 * DAY
    short = member_pem("wholesale", "brief", (Role.ADMIN,), not_after=moment_of(soon))
    ok(propose(ledger, PHARMACO, with_admins(short)))
    ok(act(ledger, DISTRIB, "config", "approve", {"proposal_id": 1}))
    ledger.block([], time_ms=soon + DAY)
    status, code, message = failure_of(
        ok(act(ledger, NMPA, "config", "approve", {"proposal_id": 1}))
    )
    assert (status, code) == ("failed", "cert.expired")
    assert message.startswith("admins[0]: "), message
