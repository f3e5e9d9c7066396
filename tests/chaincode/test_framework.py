"""The contract framework: routing, arguments, roles, layers, nested calls, read-only queries."""

from __future__ import annotations

import pytest

from chaincode.api import Args, Context, Contract, NoArgs, Value, query, transaction
from chaincode.errors import (
    ContractDefinitionError,
    ContractPinMismatch,
    InvalidTransaction,
    ReadOnlyViolation,
)
from chaincode.registry import ContractPin, ContractRegistry, code_hash
from chaincode.testing import ContractHarness
from sdk.roles import Role


class SetArgs(Args):
    key: str
    value: int


class KeyArgs(Args):
    key: str


class RangeArgs(Args):
    prefix: str


class Counter(Contract):
    name = "counter"
    version = "1.0"

    @transaction(Role.MANUFACTURER)
    def set(self, ctx: Context, args: SetArgs) -> Value:
        ctx.put(args.key, args.value)
        ctx.emit("set", {"key": args.key, "value": args.value})
        return args.value

    @transaction()
    def remove(self, ctx: Context, args: KeyArgs) -> Value:
        ctx.delete(args.key)
        return None

    @transaction()
    def set_then_fail(self, ctx: Context, args: SetArgs) -> Value:
        ctx.put(args.key, args.value)
        raise InvalidTransaction("refused after writing", code="counter.refused")

    @query()
    def get(self, ctx: Context, args: KeyArgs) -> Value:
        return ctx.get(args.key)

    @query()
    def keys(self, ctx: Context, args: RangeArgs) -> Value:
        return [k for k, _ in ctx.prefix(args.prefix)]

    @query()
    def sneaky_write(self, ctx: Context, args: KeyArgs) -> Value:
        ctx.put(args.key, 1)
        return None

    @query()
    def who_called(self, ctx: Context, args: NoArgs) -> Value:
        return ctx.caller

    @query()
    def history(self, ctx: Context, args: KeyArgs) -> Value:
        return [[v.height, v.tx_index, v.value] for v in ctx.history(args.key)]


class Caller(Contract):
    name = "caller"
    version = "1.0"

    @transaction()
    def call_and_catch(self, ctx: Context, args: SetArgs) -> Value:
        ctx.put("mine", 1)
        try:
            ctx.call("counter", "set_then_fail", {"key": args.key, "value": args.value})
        except InvalidTransaction as exc:
            return exc.code
        return "unexpected"

    @transaction()
    def call_set(self, ctx: Context, args: SetArgs) -> Value:
        ctx.put("mine", 2)
        return ctx.call("counter", "set", {"key": args.key, "value": args.value})

    @transaction()
    def ask_caller(self, ctx: Context, args: NoArgs) -> Value:
        return ctx.call("counter", "who_called", {})

    @transaction()
    def recurse(self, ctx: Context, args: NoArgs) -> Value:
        return ctx.call("caller", "recurse", {})


@pytest.fixture
def ledger() -> ContractHarness:
    return ContractHarness([Counter(), Caller()])


MAKER = ContractHarness.signer("acme", Role.MANUFACTURER)
PHARMACY = ContractHarness.signer("corner", Role.PHARMACY)


def test_transaction_writes_and_emits(ledger: ContractHarness) -> None:
    outcome = ledger.invoke(MAKER, "counter", "set", {"key": "a", "value": 5})
    assert (outcome.code, outcome.result) == ("ok", 5)
    assert ledger.query(MAKER, "counter", "get", {"key": "a"}) == 5
    assert ledger.events_of("counter", "set") == [{"key": "a", "value": 5}]


def test_missing_role_is_rejected_without_writes(ledger: ContractHarness) -> None:
    outcome = ledger.invoke(PHARMACY, "counter", "set", {"key": "a", "value": 5})
    assert outcome.code == "permission.missing_role"
    assert "manufacturer" in outcome.message
    assert ledger.query(MAKER, "counter", "get", {"key": "a"}) is None


@pytest.mark.parametrize(
    ("contract", "function", "args", "code"),
    [
        ("nope", "set", {}, "contract.unknown"),
        ("counter", "nope", {}, "contract.unknown_function"),
        ("counter", "set", {"key": "a"}, "contract.invalid_arguments"),
        ("counter", "set", {"key": "a", "value": "5"}, "contract.invalid_arguments"),
        ("counter", "set", {"key": "a", "value": 5, "extra": 1}, "contract.invalid_arguments"),
        ("counter", "set", [1, 2], "contract.invalid_arguments"),
    ],
)
def test_bad_invocations_have_stable_codes(
    ledger: ContractHarness, contract: str, function: str, args: object, code: str
) -> None:
    outcome = ledger.invoke(MAKER, contract, function, args)  # type: ignore[arg-type]
    assert outcome.code == code
    assert outcome.events == ()


def test_rejection_discards_the_transactions_writes(ledger: ContractHarness) -> None:
    outcome = ledger.invoke(MAKER, "counter", "set_then_fail", {"key": "a", "value": 1})
    assert outcome.code == "counter.refused"
    assert ledger.write_sets[-1] == []


def test_later_transactions_in_a_block_see_earlier_writes(ledger: ContractHarness) -> None:
    outcomes = ledger.block(
        [
            ledger.invocation(MAKER, "counter", "set", {"key": "b", "value": 1}),
            ledger.invocation(MAKER, "counter", "set", {"key": "a", "value": 2}),
            ledger.invocation(MAKER, "counter", "remove", {"key": "b"}),
        ]
    )
    assert [o.code for o in outcomes] == ["ok", "ok", "ok"]
    assert [(w.key, w.value) for w in ledger.write_sets[-1]] == [("a", 2), ("b", None)]
    assert ledger.query(MAKER, "counter", "history", {"key": "b"}) == [[1, 0, 1], [1, 2, None]]


def test_range_merges_pending_and_committed_in_byte_order(ledger: ContractHarness) -> None:
    for key in ["p/b", "p/a", "q/x", "p/é", "p/Z"]:
        ledger.invoke(MAKER, "counter", "set", {"key": key, "value": 1})
    ledger.invoke(MAKER, "counter", "remove", {"key": "p/a"})
    assert ledger.query(MAKER, "counter", "keys", {"prefix": "p/"}) == ["p/Z", "p/b", "p/é"]


def test_query_cannot_write(ledger: ContractHarness) -> None:
    with pytest.raises(ReadOnlyViolation):
        ledger.query(MAKER, "counter", "sneaky_write", {"key": "a"})
    with pytest.raises(ReadOnlyViolation):
        ledger.query(MAKER, "counter", "set", {"key": "a", "value": 1})


def test_nested_call_is_all_or_nothing_even_when_caught(ledger: ContractHarness) -> None:
    outcome = ledger.invoke(MAKER, "caller", "call_and_catch", {"key": "k", "value": 9})
    assert (outcome.code, outcome.result) == ("ok", "counter.refused")
    assert [(w.namespace, w.key) for w in ledger.write_sets[-1]] == [("caller", "mine")]


def test_nested_call_commits_with_the_caller_and_keeps_the_signer(ledger: ContractHarness) -> None:
    assert ledger.invoke(MAKER, "caller", "call_set", {"key": "k", "value": 3}).ok
    assert ledger.query(MAKER, "counter", "get", {"key": "k"}) == 3
    refused = ledger.invoke(PHARMACY, "caller", "call_set", {"key": "k", "value": 4})
    assert refused.code == "permission.missing_role"
    assert ledger.query(MAKER, "counter", "get", {"key": "k"}) == 3


def test_unbounded_recursion_is_a_deterministic_rejection(ledger: ContractHarness) -> None:
    assert ledger.invoke(MAKER, "caller", "recurse", {}).code == "contract.call_depth"


def test_malformed_contracts_are_refused_at_definition() -> None:
    with pytest.raises(ContractDefinitionError):

        class NoModel(Contract):
            name = "bad"
            version = "1"

            @transaction()  # type: ignore[type-var]
            def f(self, ctx: Context, args: int) -> Value:
                return None

    class Nameless(Contract):
        pass

    with pytest.raises(ContractDefinitionError):
        ContractRegistry([Nameless()])
    with pytest.raises(ContractDefinitionError):
        ContractRegistry([Counter(), Counter()])


def test_pins_check_version_and_code_hash() -> None:
    registry = ContractRegistry([Counter()])
    digest = code_hash(Counter)
    registry.check_pins([ContractPin("counter", "1.0", digest)])
    with pytest.raises(ContractPinMismatch, match="version"):
        registry.check_pins([ContractPin("counter", "2.0", digest)])
    with pytest.raises(ContractPinMismatch):
        registry.check_pins([ContractPin("counter", "1.0", "0" * 64)])
    with pytest.raises(ContractPinMismatch, match="not installed"):
        registry.check_pins([ContractPin("other", "1.0", digest)])


def test_nested_call_knows_its_calling_contract(ledger: ContractHarness) -> None:
    assert ledger.invoke(MAKER, "caller", "ask_caller", {}).result == "caller"
    assert ledger.query(MAKER, "counter", "who_called", {}) is None


@pytest.mark.parametrize("key", ["", "a\x00b", "k" * 481])
def test_bad_state_keys_are_deterministic_rejections(ledger: ContractHarness, key: str) -> None:
    outcome = ledger.invoke(MAKER, "counter", "set", {"key": key, "value": 1})
    assert outcome.code == "state.bad_key"
