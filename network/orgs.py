"""Which organizations a generated consortium has, the roles each CA may grant, and the
members each org starts with.

An org id is what the genesis, certificates (subject ``O``) and folder names use; the roles
are the ones its CA may grant (docs/governance.md: "roles ⊆ the org's allowed roles"). Every
org may grant ``admin``, because the genesis governance policy ``MAJORITY admins`` counts
one admin voice per org. The ``node`` role is never listed: every CA may grant it.

The presets give each typical participant of the supply chain the roles its contracts ask
for (chaincode/contracts: QA and QP run release, custodians ship and receive, pharmacies and
hospitals dispense, regulators suspend and audit) and a few demo members to sign with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from network.errors import BadOrgSpec
from sdk.roles import Role

ORG_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]{1,31}")
"""The genesis pattern for organization ids (node/genesis.py)."""
MEMBER_NAME: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
ADMIN: Final = "admin"
NOT_GRANTABLE: Final = frozenset({Role.NODE})


@dataclass(frozen=True, slots=True)
class MemberSpec:
    """A member enrolled at genesis: its name (file stem and certificate CN) and roles."""

    name: str
    roles: frozenset[Role]


@dataclass(frozen=True, slots=True)
class OrgSpec:
    """One organization: its id, the roles its CA may grant, its genesis members.

    ``admin`` (role ``admin``) is always among the members, and ``admin`` among the roles;
    both are added when missing. ``label`` is the display name written into the genesis.
    """

    name: str
    roles: frozenset[Role]
    members: tuple[MemberSpec, ...] = ()
    label: str = ""

    def __post_init__(self) -> None:
        if not ORG_ID.fullmatch(self.name):
            raise BadOrgSpec(
                f"organization id {self.name!r} must be 2-32 characters of a-z, 0-9 and '-', "
                "starting with a letter or digit"
            )
        roles = frozenset(self.roles) | {Role.ADMIN}
        if roles & NOT_GRANTABLE:
            raise BadOrgSpec(f"org {self.name}: do not list the node role; every org may run nodes")
        members = _with_admin(self.members)
        _check_members(self.name, roles, members)
        object.__setattr__(self, "roles", roles)
        object.__setattr__(self, "members", members)
        object.__setattr__(self, "label", self.label or self.name.replace("-", " ").title())


def _with_admin(members: Iterable[MemberSpec]) -> tuple[MemberSpec, ...]:
    listed = tuple(members)
    if any(m.name == ADMIN for m in listed):
        return listed
    return (MemberSpec(ADMIN, frozenset({Role.ADMIN})), *listed)


def _check_members(org: str, roles: frozenset[Role], members: Sequence[MemberSpec]) -> None:
    names = [m.name for m in members]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise BadOrgSpec(f"org {org}: member names must be unique ({', '.join(duplicates)})")
    for member in members:
        if not MEMBER_NAME.fullmatch(member.name):
            raise BadOrgSpec(
                f"org {org}: member name {member.name!r} must be 1-32 characters of a-z, 0-9 "
                "and '-'"
            )
        if not member.roles:
            raise BadOrgSpec(f"org {org}: member {member.name} needs at least one role")
        extra = sorted(r.value for r in member.roles - roles)
        if extra:
            raise BadOrgSpec(
                f"org {org}: member {member.name} asks for {', '.join(extra)}, which the org's "
                f"CA may not grant (allowed: {', '.join(sorted(r.value for r in roles))})"
            )


def _member(name: str, *roles: Role) -> MemberSpec:
    return MemberSpec(name, frozenset(roles))


PRESETS: Final[dict[str, OrgSpec]] = {
    spec.name: spec
    for spec in (
        OrgSpec(
            "manufacturer",
            frozenset({Role.MANUFACTURER, Role.QA, Role.QP, Role.DEVICE}),
            (
                _member("operator", Role.MANUFACTURER),
                _member("qa", Role.QA),
                _member("qp", Role.QP),
            ),
            "Manufacturer (MAH)",
        ),
        OrgSpec(
            "distributor",
            frozenset({Role.DISTRIBUTOR, Role.LOGISTICS, Role.QA, Role.DEVICE}),
            (_member("operator", Role.DISTRIBUTOR, Role.LOGISTICS), _member("qa", Role.QA)),
            "Distributor",
        ),
        OrgSpec(
            "logistics",
            frozenset({Role.LOGISTICS, Role.DEVICE}),
            (_member("operator", Role.LOGISTICS),),
            "Logistics provider (3PL)",
        ),
        OrgSpec(
            "pharmacy",
            frozenset({Role.PHARMACY, Role.HOSPITAL}),
            (_member("pharmacist", Role.PHARMACY),),
            "Pharmacy",
        ),
        OrgSpec(
            "hospital",
            frozenset({Role.HOSPITAL}),
            (_member("pharmacist", Role.HOSPITAL),),
            "Hospital",
        ),
        OrgSpec(
            "regulator",
            frozenset({Role.REGULATOR}),
            (_member("auditor", Role.REGULATOR),),
            "Regulator",
        ),
        OrgSpec(
            "supplier",
            frozenset({Role.SUPPLIER}),
            (_member("operator", Role.SUPPLIER),),
            "Supplier",
        ),
    )
}

DEFAULT_ORGS: Final = ("manufacturer", "distributor", "pharmacy", "regulator")


def default_orgs() -> list[OrgSpec]:
    """The 4-organization consortium of DESIGN.md: manufacturer, distributor, pharmacy,
    regulator."""
    return [PRESETS[name] for name in DEFAULT_ORGS]


def org_from_roles(name: str, roles: Iterable[Role]) -> OrgSpec:
    """An org of one's own: ``admin`` plus an ``operator`` member holding its other roles."""
    granted = frozenset(roles)
    working = granted - {Role.ADMIN, Role.DEVICE}
    members = (MemberSpec("operator", working),) if working else ()
    return OrgSpec(name, granted, members)


def parse_orgs(text: str) -> list[OrgSpec]:
    """``manufacturer,distributor,acme:manufacturer+qa+qp``: presets by name, or
    ``id:role+role`` for an org of one's own."""
    items = [item.strip() for item in text.split(",")]
    if not any(items):
        raise BadOrgSpec("name at least one organization, e.g. --orgs " + ",".join(DEFAULT_ORGS))
    specs = [_parse_one(item) for item in items if item]
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise BadOrgSpec(f"organization ids must be unique ({', '.join(duplicates)})")
    return specs


def _parse_one(item: str) -> OrgSpec:
    name, sep, role_text = item.partition(":")
    name = name.strip()
    if not sep:
        preset = PRESETS.get(name)
        if preset is None:
            raise BadOrgSpec(
                f"{name!r} is not a preset organization ({', '.join(PRESETS)}); give its roles "
                f"as {name}:role+role (roles: {', '.join(r.value for r in Role)})"
            )
        return preset
    return org_from_roles(name, _parse_roles(name, role_text))


def _parse_roles(org: str, text: str) -> list[Role]:
    roles: list[Role] = []
    for raw in (part.strip() for part in text.split("+")):
        try:
            roles.append(Role(raw))
        except ValueError:
            raise BadOrgSpec(
                f"org {org}: unknown role {raw!r}; roles: {', '.join(r.value for r in Role)}"
            ) from None
    return roles
