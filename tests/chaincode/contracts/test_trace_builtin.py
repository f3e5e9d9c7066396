"""The trace contract as a built-in: registration metadata, code hash, and a bulk commission."""

from __future__ import annotations

from chaincode.contracts import builtin_contracts
from chaincode.contracts.trace import TraceContract
from chaincode.registry import ContractPin, ContractRegistry, code_hash
from chaincode.testing import ContractHarness
from tests.chaincode.contracts.scenario_trace import (
    ITEM,
    LOT,
    MAKER,
    commission_args,
    contracts,
    key,
    ok,
    product_args,
    set_release,
    trace,
)


def test_trace_is_a_builtin_with_a_pinnable_hash() -> None:
    found = {c.name: c for c in builtin_contracts()}
    assert isinstance(found["trace"], TraceContract)
    assert TraceContract.version == "1.0.0"
    digest = code_hash(TraceContract)
    ContractRegistry([TraceContract()]).check_pins([ContractPin("trace", "1.0.0", digest)])
    assert len(digest) == 64


def test_ten_thousand_codes_in_one_transaction() -> None:
    ledger = ContractHarness(contracts())
    ok(trace(ledger, MAKER, "register_product", product_args()))
    set_release(ledger, "pending", [])
    serials = [f"{i:09d}" for i in range(10_000)]
    result = ok(trace(ledger, MAKER, "commission", commission_args(serials)))
    assert isinstance(result, dict)
    assert result["count"] == 10_000
    assert ledger.state.get("trace", f"holding/{ITEM}|{LOT}|acme") == 10_000
    assert ledger.state.get("trace", f"code/{key('000009999')}") is not None
    again = trace(ledger, MAKER, "commission", commission_args(["X", *serials]))
    assert again.code == "trace.duplicate_code"
    assert "(and" not in again.message  # only the first five are listed
    assert again.message.count("sgtin:") == 5
