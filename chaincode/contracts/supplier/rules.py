"""Pure rules of supplier qualification: identifiers, dates, the status table, lapse times.

Nothing here touches state, so each rule is tested on its own and every node computes the
same answer from the same records (no clock: times are integer ms passed in).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from chaincode.contracts.supplier import errors

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)


class Status(StrEnum):
    """Qualification status (ICH Q7 §7, EU GMP ch. 5/7, China GMP 供应商的评估和批准)."""

    PENDING = "pending"
    APPROVED = "approved"
    CONDITIONAL = "conditional"
    SUSPENDED = "suspended"
    DISQUALIFIED = "disqualified"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PENDING: frozenset({Status.APPROVED, Status.CONDITIONAL, Status.DISQUALIFIED}),
    Status.APPROVED: frozenset({Status.CONDITIONAL, Status.SUSPENDED, Status.DISQUALIFIED}),
    Status.CONDITIONAL: frozenset({Status.APPROVED, Status.SUSPENDED, Status.DISQUALIFIED}),
    Status.SUSPENDED: frozenset({Status.APPROVED, Status.CONDITIONAL, Status.DISQUALIFIED}),
    Status.DISQUALIFIED: frozenset(),
}
"""Allowed moves. Disqualification is final: a disqualified supplier is re-entered as new."""

USABLE = frozenset({Status.APPROVED, Status.CONDITIONAL})
"""Statuses under which material from the supplier may be used."""


def check_transition(current: Status, wanted: Status) -> None:
    if wanted not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final)"
        raise errors.SupplierRejection(
            errors.BAD_TRANSITION,
            f"status {current.value} cannot become {wanted.value}; allowed: {allowed}",
        )


def gs1_check_digit_ok(digits: str) -> bool:
    """GS1 GenSpecs §7.9: weights 3,1,3,… from the rightmost data digit, mod 10."""
    if not digits.isascii() or not digits.isdigit() or len(digits) < 2:
        return False
    body = digits[:-1]
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == int(digits[-1])


def check_gln(gln: str) -> str:
    """A GLN (AI 414) is 13 digits with a valid check digit."""
    if len(gln) != 13 or not gs1_check_digit_ok(gln):
        raise errors.SupplierRejection(
            errors.BAD_GLN, f"GLN {gln!r} is not 13 digits with a valid check digit"
        )
    return gln


def to_ms(value: int | str, *, end_of_day: bool = False) -> int:
    """Integer ms UTC, or an ISO date / datetime with an offset.

    A bare date means the start of that day UTC; with ``end_of_day`` (a "valid to" date) it
    means the start of the next day, so the last day is still inside the validity.
    """
    if isinstance(value, int):
        if value < 0:
            raise errors.SupplierRejection(errors.BAD_DATE, f"time {value} is before 1970")
        return value
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            if end_of_day:
                moment += timedelta(days=1)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise errors.SupplierRejection(errors.BAD_DATE, f"{value!r} is not an ISO date") from exc
    if moment.tzinfo is None:
        raise errors.SupplierRejection(errors.BAD_DATE, f"{value!r} needs a UTC offset")
    return (moment - _EPOCH) // _ONE_MS


@dataclass(frozen=True, slots=True)
class Coverage:
    """One verified, required certificate's validity window: valid while from <= t < until."""

    group: str
    certificate_id: str
    valid_from_ms: int
    valid_until_ms: int


def lapse_time(covers: Sequence[Coverage], since_ms: int) -> tuple[int, str] | None:
    """The first instant at or after ``since_ms`` when a required certificate group that was
    covering stops having a valid certificate, with that group's last certificate id; None if
    no group is (or becomes) covering after ``since_ms``.

    Certificates of one group (same type and scope) chain: a renewal valid before the old one
    expires carries the coverage on, so only a real gap suspends. A group that only starts
    later (recorded after the approval) counts from its first valid day, never backwards.
    """
    earliest: tuple[int, str] | None = None
    for group in sorted({c.group for c in covers}):
        members = sorted(
            (c for c in covers if c.group == group),
            key=lambda c: (c.valid_from_ms, c.certificate_id),
        )
        covering = any(c.valid_from_ms <= since_ms < c.valid_until_ms for c in members)
        later = [c.valid_from_ms for c in members if c.valid_from_ms > since_ms]
        if not covering and not later:
            continue
        moment = since_ms if covering else min(later)
        last = ""
        advanced = True
        while advanced:
            advanced = False
            for cover in members:
                if cover.valid_from_ms <= moment < cover.valid_until_ms:
                    moment, last, advanced = cover.valid_until_ms, cover.certificate_id, True
        if earliest is None or moment < earliest[0]:
            earliest = (moment, last)
    return earliest


def first_uncovered(covers: Iterable[Coverage], at_ms: int) -> Coverage | None:
    """A required group with no certificate valid at ``at_ms`` (its latest member), or None."""
    by_group: dict[str, list[Coverage]] = {}
    for cover in covers:
        by_group.setdefault(cover.group, []).append(cover)
    for group in sorted(by_group):
        members = by_group[group]
        if not any(c.valid_from_ms <= at_ms < c.valid_until_ms for c in members):
            return max(members, key=lambda c: (c.valid_until_ms, c.certificate_id))
    return None
