"""The policy tables key by key: which record each key hangs off and whose it is."""

from __future__ import annotations

import pytest

from chaincode.api import Value
from node.api.access import event_rule, query_rule, state_rule
from node.api.access_rules import EVERYONE, NOBODY, Parties, code_key, orgs_in
from node.service import LedgerEvent

STATE: dict[tuple[str, str], Value] = {
    ("trace", "code/sgtin:09501101530003.S1"): {
        "owner": "dist",
        "commissioned": {"org": "mah"},
        "transit": {"from": "dist", "to": "pharm"},
    },
    ("trace", "batch/gtin:09501101530003|L1"): {"mah_org": "mah"},
    ("supplier", "supplier/sup-1"): {"buyer": "mah", "org_id": "api-maker"},
    ("coldchain", "leg/leg-9"): {"owner": "3pl", "responsible_org": "mah"},
    ("release", "record/gtin:09501101530003|L1"): {"owner": "mah"},
}


async def read(contract: str, key: str) -> Value:
    return STATE.get((contract, key))


async def parties_of(contract: str, key: str, value: Value = None) -> Parties:
    rule, rest = state_rule(contract, key)
    return await rule.parties(rest, value, read)


CODE = "sgtin:09501101530003.S1"
CODE_PARTIES = frozenset({"dist", "mah", "pharm"})


@pytest.mark.parametrize(
    ("contract", "key", "expected"),
    [
        ("trace", "product/gtin:09501101530003", EVERYONE),
        ("trace", f"child/{CODE}|sgtin:09501101530003.S2", CODE_PARTIES),
        ("trace", f"parent/{CODE}", CODE_PARTIES),
        ("trace", "holding/gtin:09501101530003|L1|pharm", frozenset({"pharm", "mah"})),
        ("trace", "blog/gtin:09501101530003|L1|000000000001|000001|0000", frozenset({"mah"})),
        ("trace", "alert/000000000001|000001|0000", NOBODY),
        ("trace", "meta/ordinal", NOBODY),
        ("trace", "brand-new-prefix/x", NOBODY),
        ("supplier", "cert/sup-1|c-1", frozenset({"mah", "api-maker"})),
        ("supplier", "status/sup-1|", frozenset({"mah", "api-maker"})),
        ("supplier", "due/000001700000000|sup-1", frozenset({"mah", "api-maker"})),
        ("coldchain", "stream/leg-9|dev-1", frozenset({"3pl", "mah"})),
        ("coldchain", "excursion/leg-9|000001", frozenset({"3pl", "mah"})),
        ("coldchain", "openexc/gtin:09501101530003|L1|leg-9|000001", frozenset({"3pl", "mah"})),
        ("release", "status/gtin:09501101530003|L1", frozenset({"mah"})),
        ("msp", "member/" + "ab" * 32, EVERYONE),
        ("config", "proposal/000000000001", EVERYONE),
        ("someone-elses-contract", "x", NOBODY),
        ("supplier", "cert/unknown-supplier|c", NOBODY),
    ],
)
async def test_anchored_and_fixed_state_rules(contract: str, key: str, expected: Parties) -> None:
    assert await parties_of(contract, key) == expected


async def test_value_rules_decide_per_version() -> None:
    shipment = {"from": "dist", "to": "pharm", "business_refs": ["PO-1"]}
    assert await parties_of("trace", "shipment/tx1", shipment) == frozenset({"dist", "pharm"})
    assert await parties_of("trace", "shipment/tx1", None) == NOBODY  # deleted / absent
    log_entry = {"org": "dist", "data": {"to": "pharm"}}
    assert await parties_of("trace", f"log/{CODE}|000000000001|000001|0000", log_entry) == (
        frozenset({"dist", "pharm", "mah"})
    )


def test_orgs_in_reads_strings_and_lists_at_dotted_paths() -> None:
    value = {"a": {"b": "x"}, "c": ["y", 3, "z"], "d": 5}
    assert orgs_in(value, ("a.b", "c", "d", "missing.path")) == frozenset({"x", "y", "z"})
    assert orgs_in("not a map", ("a",)) == NOBODY


async def test_query_rules_anchor_on_arguments() -> None:
    assert await query_rule("supplier", "get_supplier").parties(
        "", {"supplier": "sup-1"}, read
    ) == frozenset({"mah", "api-maker"})
    assert await query_rule("coldchain", "open_excursions").parties(
        "", {"product_key": "gtin:09501101530003", "lot": "L1"}, read
    ) == frozenset({"mah"})
    hrt = "(01)09501101530003(21)S1"
    assert await query_rule("trace", "history").parties("", {"code": hrt}, read) == frozenset(
        {"mah"}
    )
    # Arguments that do not name a record name nobody: only regulators get through.
    for args in ({}, {"supplier": 5}, {"supplier": "a|b"}):
        assert await query_rule("supplier", "get_supplier").parties("", args, read) == NOBODY
    assert await query_rule("msp", "anything").parties("", {}, read) == EVERYONE
    assert await query_rule("trace", "not-listed").parties("", {}, read) == NOBODY


async def test_event_rules() -> None:
    def event(contract: str, type_: str, payload: Value) -> LedgerEvent:
        return LedgerEvent(1, 0, 0, "t", contract, type_, payload)

    excursion = event("coldchain", "coldchain.excursion", {"id": "leg-9/1", "kinds": []})
    rule = event_rule(excursion)
    assert rule is not None
    assert await rule.parties("", excursion.payload, read) == frozenset({"3pl", "mah"})
    recalled = event("trace", "recalled", {"holders": ["pharm", "dist"]})
    rule = event_rule(recalled)
    assert rule is not None
    assert await rule.parties("", recalled.payload, read) == frozenset({"pharm", "dist"})
    assert event_rule(event("trace", "dispensed", {"code": CODE})) is None  # signer only


def test_code_keys_are_computed_like_the_trace_contract() -> None:
    assert code_key("(01)09501101530003(21)S1") == CODE
    assert code_key(CODE) == CODE
    assert code_key("not a code") is None
    assert code_key(7) is None
