"""`rxl tx` against a real 4-org local network: invoke, query and receipts, with the exit
codes of docs/cli.md (0 ok, 1 rejected with its code, 2 bad input)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.tx import app
from tests.cli.ledger_support import LocalLedger, start_ledger

pytestmark = pytest.mark.e2e

GTIN = "09501101530003"
PRODUCT = {
    "product_key": f"gtin:{GTIN}",
    "mah_org": "manufacturer",
    "generic_name": "amoxicillin",
    "dosage_form": "capsule",
    "strength": "500 mg",
    "pack_size": 20,
    "markets": ["DE"],
    "storage_min_centi_c": 1500,
    "storage_max_centi_c": 2500,
}


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLedger]:
    yield from start_ledger(tmp_path_factory.mktemp("tx"))


def test_invoke_waits_for_the_commit_and_query_reads_it(ledger: LocalLedger) -> None:
    done = ledger.run(
        app,
        "operator@manufacturer",
        ["invoke", "trace", "register_product", "--args", json.dumps(PRODUCT), "--json"],
    )
    assert done.exit_code == 0, done.output
    committed = json.loads(done.stdout)
    assert committed["state"] == "committed"
    assert committed["height"] >= 1
    assert len(committed["tx_id"]) == 64

    receipt = ledger.run(app, "operator@manufacturer", ["receipt", committed["tx_id"], "--json"])
    assert receipt.exit_code == 0, receipt.output
    read = json.loads(receipt.stdout)
    assert (read["state"], read["code"], read["height"]) == ("committed", "ok", committed["height"])

    answer = ledger.run(
        app,
        "auditor@regulator",
        ["query", "trace", "verify", "--args", f'{{"code": "(01){GTIN}(21)NOPE"}}'],
    )
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout)["commissioned"] is False


def test_args_from_a_file_and_no_wait_then_receipt_wait(
    ledger: LocalLedger, tmp_path: Path
) -> None:
    args = tmp_path / "product.json"
    args.write_text(json.dumps(PRODUCT | {"trade_name": "Amoxi"}), encoding="utf-8")
    sent = ledger.run(
        app,
        "operator@manufacturer",
        ["invoke", "trace", "register_product", "--args", f"@{args}", "--no-wait", "--json"],
    )
    assert sent.exit_code == 0, sent.output
    tx_id = json.loads(sent.stdout)["tx_id"]
    waited = ledger.run(app, "operator@manufacturer", ["receipt", tx_id, "--wait", "--json"])
    assert waited.exit_code == 0, waited.output
    assert json.loads(waited.stdout)["tx_id"] == tx_id


def test_a_rule_refusal_exits_1_with_its_code(ledger: LocalLedger) -> None:
    # The pharmacy holds no MANUFACTURER role: refused at admission.
    refused = ledger.run(
        app,
        "pharmacist@pharmacy",
        ["invoke", "trace", "register_product", "--args", json.dumps(PRODUCT)],
    )
    assert refused.exit_code == 1, refused.output
    assert "permission.missing_role" in refused.output

    # Another org's product: refused by the contract, recorded on chain.
    other = ledger.run(
        app,
        "operator@manufacturer",
        [
            "invoke",
            "trace",
            "register_product",
            "--args",
            json.dumps(PRODUCT | {"mah_org": "distributor"}),
            "--json",
        ],
    )
    assert other.exit_code == 1, other.output
    assert json.loads(other.stdout)["error"]["code"].startswith("trace.")


def test_bad_input_exits_2(ledger: LocalLedger) -> None:
    for args in (
        ["invoke", "trace", "register_product", "--args", "{not json"],
        ["invoke", "trace", "register_product", "--args", "[1, 2]"],
        ["query", "trace", "verify", "--args", "@/no/such/file.json"],
        ["receipt", "not-a-tx-id"],
    ):
        result = ledger.run(app, "operator@manufacturer", args)
        assert result.exit_code == 2, (args, result.output)


def test_an_unknown_transaction_has_no_receipt(ledger: LocalLedger) -> None:
    result = ledger.run(app, "operator@manufacturer", ["receipt", "ab" * 32])
    assert result.exit_code == 1, result.output
    assert "tx.not_found" in result.output
