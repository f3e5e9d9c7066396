"""The sync client against the API served by uvicorn over a real-format in-memory ledger."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sdk.client import (
    AccessDenied,
    AuthenticationFailed,
    Client,
    Consistency,
    NotFound,
    PermissionRejected,
    SignerRejected,
    TraceRejected,
    TxState,
)
from tests.sdk.client.conftest import MAKER, PHARMACY, REGULATOR, STRANGER, ServedNode
from tests.sdk.client.ledger import CHAIN_ID, MemoryLedger
from tests.sdk.client.world import (
    ITEM_GTIN,
    LOT,
    PRODUCT,
    batch_args,
    commission_args,
    product_args,
    sgtin,
)


@pytest.fixture
def maker(node1: ServedNode) -> Iterator[Client]:
    with Client([node1.url], identity=MAKER) as client:
        yield client


@pytest.fixture
def regulator(node1: ServedNode) -> Iterator[Client]:
    with Client([node1.url], identity=REGULATOR) as client:
        yield client


def commissioned(maker: Client, serials: list[str]) -> None:
    maker.trace.register_product(**product_args())
    maker.release.register_batch(**batch_args())
    maker.trace.commission(**commission_args(serials))


def test_chain_id_comes_from_health(maker: Client) -> None:
    assert maker.chain_id == CHAIN_ID
    assert maker.health().healthy


def test_typed_helpers_commit_and_the_public_verify_sees_the_code(maker: Client) -> None:
    committed = maker.trace.register_product(**product_args())
    assert committed.height == 1
    assert len(committed.block_hash) == 64
    maker.release.register_batch(**batch_args())
    result = maker.trace.commission(**commission_args(["S1", "S2"]))
    assert result.height == 3
    answer = maker.verify_code(f"01{ITEM_GTIN}21S1")
    assert answer.verified
    assert answer.commissioned
    assert answer.lot == LOT
    assert answer.safe_to_dispense is False  # the batch is not released


def test_contract_rejection_raises_its_family_with_code_and_receipt(maker: Client) -> None:
    commissioned(maker, ["S1"])
    with pytest.raises(TraceRejected) as caught:
        maker.trace.commission(**commission_args(["S1"]))
    error = caught.value
    assert error.code == "trace.duplicate_code"
    assert error.tx_id is not None
    assert error.receipt is not None
    assert error.receipt.committed
    assert error.receipt.height == 4


def test_admission_refusals_are_typed(node1: ServedNode, maker: Client) -> None:
    with pytest.raises(PermissionRejected) as caught:
        maker.trace.dispense(code=sgtin("S1"))
    assert caught.value.code == "permission.missing_role"
    with Client([node1.url], identity=STRANGER, chain_id=CHAIN_ID) as stranger:
        tx = stranger.build("trace", "verify", {"code": sgtin("S1")})
        with pytest.raises(SignerRejected) as refused:
            stranger.submit(tx)
    assert refused.value.code == "signer.unknown"
    assert refused.value.tx_id == tx.tx_id.hex()


def test_an_unsafe_dispense_commits_with_an_alert_and_a_bad_return_is_refused(
    node1: ServedNode, maker: Client
) -> None:
    commissioned(maker, ["S1"])
    with Client([node1.url], identity=PHARMACY) as pharmacy:
        sale = pharmacy.trace.dispense(code=sgtin("S1"))
        assert isinstance(sale.result, dict)
        assert sale.result["dispensed"] is False
        alert = sale.result["alert"]
        assert isinstance(alert, dict)
        assert alert["reason"] == "batch_not_released"
        with pytest.raises(TraceRejected) as caught:
            pharmacy.trace.return_dispense(code=sgtin("S1"), reason="wrong pack")
    assert caught.value.code == "trace.not_dispensed"


def test_reads_are_signed_and_anonymous_reads_refused(
    node1: ServedNode, maker: Client, regulator: Client
) -> None:
    commissioned(maker, ["S1"])
    with Client([node1.url]) as anonymous, pytest.raises(AuthenticationFailed) as caught:
        anonymous.get_state("trace", f"code/{sgtin('S1')}")
    assert caught.value.code == "auth.required"
    entry = maker.get_state("trace", f"code/{sgtin('S1')}")
    assert entry is not None
    assert isinstance(entry.value, dict)
    assert entry.value["owner"] == "acme"
    missing = "code/sgtin:09501101530003.NONE"
    assert regulator.get_state("trace", missing, consistency=Consistency.STALE) is None
    with pytest.raises(AccessDenied):
        maker.get_state("trace", missing)


def test_state_and_history_iterate_over_pages(maker: Client, regulator: Client) -> None:
    serials = [f"S{i:02d}" for i in range(7)]
    commissioned(maker, serials)
    page = regulator.state_page("trace", "code/", limit=3)
    assert len(page.items) == 3
    assert page.next_cursor is not None
    keys = [entry.key for entry in regulator.iter_state("trace", "code/", page_size=3)]
    assert keys == [f"code/{sgtin(s)}" for s in serials]
    product_key = f"product/{PRODUCT}"
    maker.trace.register_product(**{**product_args(), "trade_name": "Amoxil"})
    versions = list(regulator.iter_history("trace", product_key, page_size=1))
    assert [v.height for v in versions] == [1, 4]
    assert isinstance(versions[-1].value, dict)
    assert versions[-1].value["trade_name"] == "Amoxil"


def test_receipts_blocks_and_raw_blocks(maker: Client, regulator: Client) -> None:
    committed = maker.trace.register_product(**product_args())
    receipt = maker.receipt(committed.tx_id)
    assert receipt.state is TxState.COMMITTED
    assert receipt.outcome() == committed
    block = regulator.block(committed.height)
    assert block.tx_ids == (committed.tx_id,)
    assert block.results == ("ok",)
    assert block.transaction(0).tx_id.hex() == committed.tx_id
    assert regulator.block_by_hash(block.block_hash) == block
    assert regulator.latest_block() == block
    raw = regulator.raw_block(committed.height)
    assert raw.block_hash.hex() == block.block_hash
    assert maker.wait(committed.tx_id, timeout=1) == committed
    with pytest.raises(NotFound) as caught:
        maker.receipt("ab" * 32)
    assert caught.value.code == "tx.not_found"


def test_query_runs_a_read_only_function(maker: Client) -> None:
    commissioned(maker, ["S1"])
    status = maker.trace.batch_status(product_key=PRODUCT, lot=LOT)
    assert isinstance(status, dict)
    info = maker.release.batch_info(product_key=PRODUCT, lot=LOT)
    assert isinstance(info, dict)
    assert info["status"] != "released"


def test_batch_submit_reports_each_item(maker: Client, ledger: MemoryLedger) -> None:
    good = maker.build("trace", "register_product", product_args())
    bad = maker.build("trace", "dispense", {"code": sgtin("S1")})
    results = maker.submit_batch([good, bad], wait=True, timeout=2)
    assert [r.accepted for r in results] == [True, False]
    assert results[0].receipt is not None
    assert results[0].receipt.ok
    assert isinstance(results[1].error, PermissionRejected)
    assert ledger.executions == {good.tx_id.hex(): 1}
