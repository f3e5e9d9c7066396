"""The read-access policy as data: who each piece of ledger data belongs to.

``node.api.access`` enforces these tables; nothing else decides who may read what. A rule
answers "which organizations are parties to this?" — :data:`EVERYONE` (every member), a set
of org ids (possibly empty: regulators only), found in the value itself (:class:`Named`), in
another record it hangs off (:class:`Anchored`), or both (:class:`Union`). Regulators read
everything; anonymous callers read none of it (only ``GET /v1/verify`` and health).

Anything not listed — another contract, a key prefix or query function not named here — is
for regulators only: new data is private until this file says otherwise. docs/api.md,
Access, is the same table in prose.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from chaincode.api import Value
from sdk.codes import CodeError, parse_code


class _Everyone:
    def __repr__(self) -> str:
        return "EVERYONE"


EVERYONE: Final = _Everyone()
"""Every enrolled, active member (never anonymous callers)."""

Parties = frozenset[str] | _Everyone
NOBODY: Final[frozenset[str]] = frozenset()
SEP: Final = "|"

Anchor = tuple[str, str]
"""(contract, key) of the record whose parties a piece of data inherits."""

ReadState = Callable[[str, str], Awaitable[Value]]
"""Reads a committed value (None when absent) for the rules that follow an anchor."""


class Rule(Protocol):
    async def parties(self, rest: str, value: Value, read: ReadState) -> Parties:
        """``rest``: the key after its rule's prefix ("" for events and queries);
        ``value``: the state value, event payload or query arguments."""
        ...


def orgs_in(value: Value, paths: tuple[str, ...]) -> frozenset[str]:
    """Org ids found at dotted ``paths`` of a map (strings, or lists of strings)."""
    found: set[str] = set()
    for path in paths:
        node: Any = value
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, str):
            found.add(node)
        elif isinstance(node, list):
            found.update(item for item in node if isinstance(item, str))
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Fixed:
    """The same answer for every item: EVERYONE, or NOBODY (regulators only)."""

    answer: Parties

    async def parties(self, rest: str, value: Value, read: ReadState) -> Parties:
        return self.answer


SHARED: Final = Fixed(EVERYONE)
REGULATORS: Final = Fixed(NOBODY)


@dataclass(frozen=True, slots=True)
class Named:
    """The orgs the value itself names (so each version of a key decides for itself)."""

    paths: tuple[str, ...]

    async def parties(self, rest: str, value: Value, read: ReadState) -> Parties:
        return orgs_in(value, self.paths)


@dataclass(frozen=True, slots=True)
class Anchored:
    """The orgs named by the current value of another record (``anchor`` finds it from the
    key rest and the value; None: no anchor, nobody)."""

    anchor: Callable[[str, Value], Anchor | None]
    paths: tuple[str, ...]

    async def parties(self, rest: str, value: Value, read: ReadState) -> Parties:
        found = self.anchor(rest, value)
        if found is None:
            return NOBODY
        return orgs_in(await read(*found), self.paths)


@dataclass(frozen=True, slots=True)
class KeyOrg:
    """The org id written in the key itself, as its ``index``-th ``|`` segment."""

    index: int

    async def parties(self, rest: str, value: Value, read: ReadState) -> Parties:
        parts = rest.split(SEP)
        return frozenset({parts[self.index]}) if len(parts) > abs(self.index) else NOBODY


@dataclass(frozen=True, slots=True)
class Union:
    rules: tuple[Rule, ...]

    async def parties(self, rest: str, value: Value, read: ReadState) -> Parties:
        found: set[str] = set()
        for rule in self.rules:
            answer = await rule.parties(rest, value, read)
            if isinstance(answer, _Everyone):
                return EVERYONE
            found.update(answer)
        return frozenset(found)


# --- anchors ------------------------------------------------------------------------------


def _segments(rest: str, count: int) -> str | None:
    """The first ``count`` ``|``-separated segments of ``rest``, rejoined."""
    parts = rest.split(SEP)
    return SEP.join(parts[:count]) if len(parts) >= count and all(parts[:count]) else None


def _key(contract: str, prefix: str, count: int) -> Callable[[str, Value], Anchor | None]:
    """Anchor at ``{prefix}{first count segments of the key rest}``."""

    def anchor(rest: str, value: Value) -> Anchor | None:
        head = _segments(rest, count)
        return None if head is None else (contract, prefix + head)

    return anchor


def _field(contract: str, prefix: str, *names: str) -> Callable[[str, Value], Anchor | None]:
    """Anchor at ``{prefix}{value[name1]}|{value[name2]}…`` (event payloads, query args)."""

    def anchor(rest: str, value: Value) -> Anchor | None:
        if not isinstance(value, dict):
            return None
        parts = [value.get(name) for name in names]
        if not all(isinstance(part, str) and part and SEP not in part for part in parts):
            return None
        return contract, prefix + SEP.join(str(part) for part in parts)

    return anchor


def _excursion_leg(rest: str, value: Value) -> Anchor | None:
    """coldchain events name the leg as ``leg``, or inside an excursion id ``{leg}/{n}``."""
    if not isinstance(value, dict):
        return None
    leg = value.get("leg")
    if leg is None and isinstance(value.get("id"), str):
        leg = str(value["id"]).rpartition("/")[0]
    return ("coldchain", f"leg/{leg}") if isinstance(leg, str) and leg else None


def _openexc_leg(rest: str, value: Value) -> Anchor | None:
    """``openexc/{product_key}|{lot}|{leg}|{n}``: the third segment is the leg."""
    parts = rest.split(SEP)
    return ("coldchain", f"leg/{parts[2]}") if len(parts) == 4 and parts[2] else None


def _due_supplier(rest: str, value: Value) -> Anchor | None:
    """``due/{ms:015d}|{supplier}``."""
    parts = rest.split(SEP, 1)
    return ("supplier", f"supplier/{parts[1]}") if len(parts) == 2 and parts[1] else None


CODE_KEY_PREFIXES: Final = ("sgtin:", "sscc:", "nmpa20:", "prop:")


def code_key(text: object) -> str | None:
    """The trace state identity of scanned code text (as the trace contract computes it)."""
    if not isinstance(text, str) or not text:
        return None
    if text.startswith(CODE_KEY_PREFIXES):
        key = text
    else:
        try:
            key = parse_code(text).key
        except CodeError:
            return None
    return None if SEP in key else key


def _code_arg(rest: str, value: Value) -> Anchor | None:
    found = code_key(value.get("code") if isinstance(value, dict) else None)
    return None if found is None else ("trace", f"code/{found}")


# --- state: /v1/state and /v1/history ---------------------------------------------------------

CODE_PARTIES: Final = ("owner", "commissioned.org", "transit.from", "transit.to")
"""A code belongs to its originator (the MAH that commissioned it), its current owner, and
while it is in transit, the sender and the named recipient. A former owner is a party of
the versions it was named in (history), not of the current one."""

LEG_PARTIES: Final = ("owner", "responsible_org")
SUPPLIER_PARTIES: Final = ("buyer", "org_id")

_CODE_OF_FIRST = Anchored(_key("trace", "code/", 1), CODE_PARTIES)
_BATCH_MAH = Anchored(_key("trace", "batch/", 2), ("mah_org",))
_LEG = Anchored(_key("coldchain", "leg/", 1), LEG_PARTIES)
_SUPPLIER = Anchored(_key("supplier", "supplier/", 1), SUPPLIER_PARTIES)
_RELEASE_OWNER = Anchored(_key("release", "record/", 2), ("owner",))

STATE_RULES: Final[Mapping[str, tuple[tuple[str, Rule], ...]]] = {
    "trace": (
        ("product/", SHARED),
        ("batch/", Named(("mah_org",))),
        ("code/", Named(CODE_PARTIES)),
        ("child/", _CODE_OF_FIRST),
        ("parent/", Anchored(lambda rest, _: ("trace", f"code/{rest}"), CODE_PARTIES)),
        ("holding/", Union((KeyOrg(-1), _BATCH_MAH))),
        ("shipment/", Named(("from", "to"))),
        (
            "log/",
            Union(
                (
                    Named(("org", "data.from", "data.to")),
                    Anchored(_key("trace", "code/", 1), ("commissioned.org",)),
                )
            ),
        ),
        ("blog/", _BATCH_MAH),
        ("alert/", REGULATORS),
        ("meta/", REGULATORS),
    ),
    "supplier": (
        ("supplier/", Named(SUPPLIER_PARTIES)),
        ("material/", Named(("owner",))),
        ("status/", _SUPPLIER),
        ("cert/", _SUPPLIER),
        ("audit/", _SUPPLIER),
        ("agreement/", _SUPPLIER),
        ("due/", Anchored(_due_supplier, SUPPLIER_PARTIES)),
    ),
    "coldchain": (
        ("device/", Named(("owner",))),
        ("leg/", Named(LEG_PARTIES)),
        ("batch/", _LEG),
        ("stream/", _LEG),
        ("excursion/", _LEG),
        ("openexc/", Anchored(_openexc_leg, LEG_PARTIES)),
    ),
    "release": (
        ("record/", Named(("owner",))),
        ("status/", _RELEASE_OWNER),
    ),
    "msp": (("", SHARED),),
    "config": (("", SHARED),),
}
"""Per contract, (key prefix, rule); the first matching prefix wins."""


# --- queries: POST /v1/query/{contract}/{function} ----------------------------------------

CONTRACT_DECIDES: Final = SHARED
"""Any member may call it; the contract checks roles against the caller's key (queries run
as the authenticated signer), e.g. ``trace.batch_history`` (REGULATOR or the MAH)."""

_SUPPLIER_ARG = Anchored(_field("supplier", "supplier/", "supplier"), SUPPLIER_PARTIES)
_LEG_ARG = Anchored(_field("coldchain", "leg/", "leg"), LEG_PARTIES)
_BATCH_RECORD_ARG = Anchored(_field("release", "record/", "product_key", "lot"), ("owner",))

QUERY_RULES: Final[Mapping[str, Mapping[str, Rule]]] = {
    "trace": {
        "verify": CONTRACT_DECIDES,
        "history": Anchored(_code_arg, ("commissioned.org",)),
        "batch_history": CONTRACT_DECIDES,
        "batch_status": CONTRACT_DECIDES,
        "alerts": CONTRACT_DECIDES,
    },
    "supplier": {
        "get_supplier": _SUPPLIER_ARG,
        "status_history": _SUPPLIER_ARG,
        "was_approved": _SUPPLIER_ARG,
        "supplier_tree": _SUPPLIER_ARG,
        "due_for_requalification": REGULATORS,
    },
    "coldchain": {
        "get_device": Anchored(_field("coldchain", "device/", "device"), ("owner",)),
        "get_leg": _LEG_ARG,
        "leg_excursions": _LEG_ARG,
        "get_excursion": _LEG_ARG,
        "open_excursions": _BATCH_RECORD_ARG,
    },
    "release": {
        "batch_info": CONTRACT_DECIDES,
        "get_batch": _BATCH_RECORD_ARG,
        "release_blockers": _BATCH_RECORD_ARG,
    },
}
"""Per contract and function; a function not listed is regulators-only, except in the
contracts of :data:`OPEN_QUERY_CONTRACTS`."""

OPEN_QUERY_CONTRACTS: Final = frozenset({"msp", "config"})
"""The consortium's directory and governance: every query is for every member."""


# --- events: GET /v1/events -----------------------------------------------------------------

EVENT_RULES: Final[Mapping[str, Mapping[str, Rule]]] = {
    "msp": {"": SHARED},
    "config": {"": SHARED},
    "trace": {
        "product_registered": SHARED,
        "product_updated": SHARED,
        "shipped": Named(("to",)),
        "received": Named(("from",)),
        "recalled": Named(("holders",)),
    },
    "release": {
        "release.batch_recalled": SHARED,
        "": Anchored(_field("release", "record/", "product_key", "lot"), ("owner",)),
    },
    "coldchain": {"": Anchored(_excursion_leg, LEG_PARTIES)},
    "supplier": {"": Anchored(_field("supplier", "supplier/", "supplier"), SUPPLIER_PARTIES)},
}
"""Who besides the org that signed the transaction sees an event, per contract and type
(``""``: any other type of that contract); unlisted events: the signer's org only."""


# --- the public view: GET /v1/verify ----------------------------------------------------

PUBLIC_VERIFY_FIELDS: Final = (
    "code",
    "verified",
    "verificationFailureReason",
    "additionalInfo",
    "commissioned",
    "product",
    "lot",
    "expiry",
    "production_date",
    "level",
    "status",
    "recalled",
    "expired",
    "dispensed",
    "hold",
    "batch_release",
)
PUBLIC_PRODUCT_FIELDS: Final = (
    "product_key",
    "generic_name",
    "trade_name",
    "dosage_form",
    "strength",
    "pack_size",
    "packaging_level",
    "storage_min_centi_c",
    "storage_max_centi_c",
)
"""What anyone may learn from a scan; never custody (owner, destination), shipments,
business references or prices. An allow-list, so a field the contract adds later stays
private until it is added here."""
