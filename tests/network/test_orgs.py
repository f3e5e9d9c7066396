from __future__ import annotations

import pytest

from network.errors import BadOrgSpec
from network.orgs import PRESETS, MemberSpec, OrgSpec, default_orgs, parse_orgs
from sdk.roles import Role


def _members(spec: OrgSpec) -> dict[str, frozenset[Role]]:
    return {m.name: m.roles for m in spec.members}


def test_default_orgs_are_the_four_of_the_design() -> None:
    orgs = default_orgs()
    assert [o.name for o in orgs] == ["manufacturer", "distributor", "pharmacy", "regulator"]
    assert all(Role.ADMIN in o.roles and Role.NODE not in o.roles for o in orgs)


def test_presets_carry_the_demo_members_their_contracts_need() -> None:
    assert _members(PRESETS["manufacturer"])["qp"] == {Role.QP}
    assert _members(PRESETS["manufacturer"])["qa"] == {Role.QA}
    assert _members(PRESETS["pharmacy"])["pharmacist"] == {Role.PHARMACY}
    assert _members(PRESETS["regulator"])["auditor"] == {Role.REGULATOR}
    for spec in PRESETS.values():
        assert _members(spec)["admin"] == {Role.ADMIN}
        assert all(m.roles <= spec.roles for m in spec.members)


def test_admin_role_and_member_are_added_when_missing() -> None:
    spec = OrgSpec("acme", frozenset({Role.SUPPLIER}))
    assert spec.roles == {Role.SUPPLIER, Role.ADMIN}
    assert _members(spec) == {"admin": {Role.ADMIN}}
    assert spec.label == "Acme"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "A"}, "organization id"),
        ({"name": "x"}, "organization id"),
        ({"roles": frozenset({Role.NODE})}, "node role"),
        (
            {"members": (MemberSpec("qp", frozenset({Role.QP})),)},
            "asks for qp, which the org.s CA may not grant",
        ),
        ({"members": (MemberSpec("Bad Name", frozenset({Role.SUPPLIER})),)}, "member name"),
        ({"members": (MemberSpec("nobody", frozenset()),)}, "at least one role"),
        (
            {"members": (MemberSpec("a", frozenset({Role.ADMIN})),) * 2},
            "member names must be unique",
        ),
    ],
)
def test_bad_org_specs_are_refused(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"name": "acme", "roles": frozenset({Role.SUPPLIER})}
    arguments.update(kwargs)
    with pytest.raises(BadOrgSpec, match=message):
        OrgSpec(**arguments)  # type: ignore[arg-type]


def test_parse_orgs_reads_presets_and_own_orgs() -> None:
    specs = parse_orgs(" manufacturer, acme-pharma:pharmacy+hospital ")
    assert specs[0] is PRESETS["manufacturer"]
    assert specs[1].name == "acme-pharma"
    assert specs[1].roles == {Role.PHARMACY, Role.HOSPITAL, Role.ADMIN}
    assert _members(specs[1])["operator"] == {Role.PHARMACY, Role.HOSPITAL}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one organization"),
        (" , ", "at least one organization"),
        ("wholesaler", "not a preset organization.*wholesaler:role\\+role"),
        ("acme:wizard", "unknown role 'wizard'"),
        ("pharmacy,pharmacy", "must be unique"),
        ("acme:node", "node role"),
    ],
)
def test_parse_orgs_refuses_with_a_hint(text: str, message: str) -> None:
    with pytest.raises(BadOrgSpec, match=message):
        parse_orgs(text)
