"""Governance policies: who must approve a consortium change (issue 5, item 6).

Three forms, parsed strictly (keywords upper-case, names lower-case, nothing else)::

    MAJORITY admins             more than half of the active organizations
    ALL admins                  every active organization
    N OF name, name, ...        at least N of the organizations the names designate

A name designates the active organization with that id and every active organization whose
allowed roles include the role of that name (``1 OF regulator`` is met by any regulator org).
Approvals count per organization, never per signer: an org with ten admins has one voice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

from chaincode.contracts.config.errors import BAD_POLICY, ConfigRejection

MAX_POLICY_CHARS = 2000
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_THRESHOLD = re.compile(r"([1-9][0-9]{0,3}) OF (.+)")
_FORMS = "'MAJORITY admins', 'ALL admins' or 'N OF name, name, ...'"


@dataclass(frozen=True, slots=True)
class Majority:
    """More than half of the active organizations."""

    def __str__(self) -> str:
        return "MAJORITY admins"


@dataclass(frozen=True, slots=True)
class Unanimous:
    """Every active organization."""

    def __str__(self) -> str:
        return "ALL admins"


@dataclass(frozen=True, slots=True)
class Threshold:
    """At least ``count`` of the organizations that ``names`` designate."""

    count: int
    names: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.count} OF {', '.join(self.names)}"


Policy: TypeAlias = Majority | Unanimous | Threshold


def parse_policy(text: str) -> Policy:
    """Parse one policy; anything outside the three forms is refused with ``config.bad_policy``."""
    if not isinstance(text, str) or not text or len(text) > MAX_POLICY_CHARS:
        raise _bad(text, f"a policy is 1..{MAX_POLICY_CHARS} characters")
    spaced = " ".join(text.split())
    if spaced != text.strip() or text != text.strip():
        raise _bad(text, "use single spaces and no leading or trailing blanks")
    if text == "MAJORITY admins":
        return Majority()
    if text == "ALL admins":
        return Unanimous()
    match = _THRESHOLD.fullmatch(text)
    if match is None:
        raise _bad(text, f"expected {_FORMS}")
    return _threshold(text, int(match.group(1)), match.group(2))


def _threshold(text: str, count: int, tail: str) -> Threshold:
    names = tuple(part.strip() for part in tail.split(","))
    for name in names:
        if _NAME.fullmatch(name) is None:
            raise _bad(text, f"{name!r} is not an organization id or role name")
    if len(set(names)) != len(names):
        raise _bad(text, "a name is listed twice")
    if count > len(names):
        raise _bad(text, f"{count} approvals can never come from {len(names)} names")
    return Threshold(count, names)


def _bad(text: object, why: str) -> ConfigRejection:
    return ConfigRejection(BAD_POLICY, f"governance policy {text!r:.80}: {why}")


OrgRoles: TypeAlias = Mapping[str, frozenset[str]]
"""Active organizations: org id to the role names its CA may grant."""


def eligible_orgs(policy: Policy, orgs: OrgRoles) -> list[str]:
    """The active organizations whose approval counts, sorted by id."""
    if isinstance(policy, Majority | Unanimous):
        return sorted(orgs)
    wanted = set(policy.names)
    return sorted(org for org, roles in orgs.items() if org in wanted or roles & wanted)


def required_approvals(policy: Policy, orgs: OrgRoles) -> int:
    """How many eligible organizations must approve under ``policy`` today."""
    if isinstance(policy, Majority):
        return len(orgs) // 2 + 1
    if isinstance(policy, Unanimous):
        return len(orgs)
    return policy.count


def counted(policy: Policy, orgs: OrgRoles, approvers: Iterable[str]) -> list[str]:
    """The approving organizations that count: active and eligible, each once, sorted."""
    eligible = set(eligible_orgs(policy, orgs))
    return sorted(set(approvers) & eligible)


def is_met(policy: Policy, orgs: OrgRoles, approvers: Iterable[str]) -> bool:
    """True when enough eligible, active organizations approved."""
    return len(counted(policy, orgs, approvers)) >= required_approvals(policy, orgs)


def satisfiable(policy: Policy, orgs: OrgRoles) -> bool:
    """Could the consortium as it stands ever meet ``policy``? (Refuse policies that lock it.)"""
    return bool(orgs) and len(eligible_orgs(policy, orgs)) >= required_approvals(policy, orgs)
