"""Governance policy parser and evaluation (issue 5, item 6)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chaincode.contracts.config.errors import ConfigRejection
from chaincode.contracts.config.policy import (
    Majority,
    Threshold,
    Unanimous,
    eligible_orgs,
    is_met,
    parse_policy,
    required_approvals,
    satisfiable,
)

ORGS = {
    "pharmaco": frozenset({"manufacturer", "admin"}),
    "distrib": frozenset({"distributor", "admin"}),
    "nmpa": frozenset({"regulator", "admin"}),
    "fda": frozenset({"regulator", "admin"}),
}


@pytest.mark.parametrize(
    ("text", "policy"),
    [
        ("MAJORITY admins", Majority()),
        ("ALL admins", Unanimous()),
        ("2 OF pharmaco, nmpa, distrib", Threshold(2, ("pharmaco", "nmpa", "distrib"))),
        ("1 OF regulator", Threshold(1, ("regulator",))),
        ("1 OF a,b", Threshold(1, ("a", "b"))),
    ],
)
def test_the_three_forms_parse(text: str, policy: object) -> None:
    assert parse_policy(text) == policy


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "1..2000"),
        ("majority admins", "expected 'MAJORITY admins'"),
        ("MAJORITY  admins", "single spaces"),
        (" ALL admins", "single spaces"),
        ("ALL members", "expected"),
        ("0 OF a", "expected"),
        ("02 OF a", "expected"),
        ("3 OF a, b", "can never come from 2 names"),
        ("1 OF a, a", "listed twice"),
        ("1 OF A", "not an organization id or role name"),
        ("1 OF a,, b", "not an organization id"),
        ("1 OF a AND b", "not an organization id"),
        ("x" * 2001, "1..2000"),
    ],
)
def test_unknown_syntax_is_refused_with_a_clear_message(text: str, why: str) -> None:
    with pytest.raises(ConfigRejection, match=why) as caught:
        parse_policy(text)
    assert caught.value.code == "config.bad_policy"


@settings(max_examples=80, deadline=None)
@given(
    count=st.integers(1, 5),
    names=st.lists(
        st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True),
        min_size=5,
        max_size=8,
        unique=True,
    ),
)
def test_canonical_text_round_trips(count: int, names: list[str]) -> None:
    policy = parse_policy(f"{count} OF {', '.join(names)}")
    assert parse_policy(str(policy)) == policy


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_text_parses_or_is_refused_with_the_policy_code(text: str) -> None:
    try:
        canonical = str(parse_policy(text))
    except ConfigRejection as exc:
        canonical = exc.code
    assert canonical in {text, "config.bad_policy"} or parse_policy(canonical) == parse_policy(text)


def test_majority_counts_organizations_not_signers() -> None:
    policy = Majority()
    assert required_approvals(policy, ORGS) == 3
    assert not is_met(policy, ORGS, ["pharmaco", "pharmaco", "nmpa"])
    assert is_met(policy, ORGS, ["pharmaco", "nmpa", "fda"])


def test_all_needs_every_active_org_and_ignores_strangers() -> None:
    assert not is_met(Unanimous(), ORGS, ["pharmaco", "distrib", "nmpa", "gone"])
    assert is_met(Unanimous(), ORGS, ["pharmaco", "distrib", "nmpa", "fda"])


def test_role_names_designate_every_org_with_that_role() -> None:
    policy = parse_policy("2 OF regulator, pharmaco")
    assert eligible_orgs(policy, ORGS) == ["fda", "nmpa", "pharmaco"]
    assert not is_met(policy, ORGS, ["distrib", "nmpa"])
    assert is_met(policy, ORGS, ["fda", "nmpa"])


def test_satisfiable_refuses_policies_that_would_lock_governance() -> None:
    assert satisfiable(parse_policy("2 OF pharmaco, distrib"), ORGS)
    assert not satisfiable(parse_policy("2 OF pharmaco, gone"), ORGS)
    assert not satisfiable(Majority(), {})
