"""`rxl trace` against a real local network: a product's life from registration through
bulk commissioning, packing, shipping, sale, verify, history, EPCIS export/import and recall,
each step run by the member whose role it needs."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.trace import app
from sdk.epcis import TraceRecord, export_document
from tests.cli.ledger_support import LocalLedger, day, now_ms, release_batch, start_ledger

pytestmark = pytest.mark.e2e

ITEM_GTIN = "09506000134376"
CASE_GTIN = "19506000134373"
ITEM = f"gtin:{ITEM_GTIN}"
LOT = "CLI-L1"
MAKER, PHARMACIST, AUDITOR = "operator@manufacturer", "pharmacist@pharmacy", "auditor@regulator"
PHARMACY_GLN = "9506000000039"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLedger]:
    yield from start_ledger(tmp_path_factory.mktemp("trace-cli"))


@pytest.fixture(scope="module")
def packs(ledger: LocalLedger, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Products registered, the batch released, five packs commissioned (two per tx)."""
    common = ["--mah-org", "manufacturer", "--generic-name", "insulin glargine"]
    common += ["--dosage-form", "pen", "--strength", "100 U/mL", "--market", "DE"]
    common += ["--storage-min", "2", "--storage-max", "8"]
    item = ledger.run(app, MAKER, ["product", "add", ITEM, *common, "--pack-size", "5"])
    assert item.exit_code == 0, item.output
    assert f"product {ITEM} registered, revision" in item.output
    case = ledger.run(
        app,
        MAKER,
        [
            "product",
            "add",
            f"gtin:{CASE_GTIN}",
            *common,
            "--pack-size",
            "10",
            "--level",
            "case",
            "--base-product",
            ITEM,
        ],
    )
    assert case.exit_code == 0, case.output
    release_batch(ledger, ITEM, LOT, ["DE"])
    out = tmp_path_factory.mktemp("serials") / "serials.csv"
    batch = ["--gtin", ITEM_GTIN, "--lot", LOT, "--production-date", day(0)]
    batch += ["--expiry", day(730)]
    made = ledger.run(
        app, MAKER, ["commission", *batch, "--count", "5", "--batch-size", "2", "--out", str(out)]
    )
    assert made.exit_code == 0, made.output
    assert "commissioned 5 of 5 packs of lot CLI-L1 in 3 transactions" in made.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["serial"]
    assert len(rows) == 6
    return [f"sgtin:{ITEM_GTIN}.{row[0]}" for row in rows[1:]]


def _batch_args() -> list[str]:
    return ["--lot", LOT, "--production-date", day(0), "--expiry", day(730)]


def test_commission_from_a_csv_refuses_only_the_transaction_with_a_duplicate(
    ledger: LocalLedger, packs: list[str], tmp_path: Path
) -> None:
    taken = packs[0].split(".", 1)[1]
    sheet = tmp_path / "serials.csv"
    sheet.write_text(f"line,serial\n1,NEWA1\n2,NEWA2\n3,{taken}\n4,NEWA4\n", encoding="utf-8")
    result = ledger.run(
        app,
        MAKER,
        [
            "commission",
            "--gtin",
            ITEM_GTIN,
            *_batch_args(),
            "--serials",
            str(sheet),
            "--batch-size",
            "2",
            "--json",
        ],
    )
    assert result.exit_code == 1, result.output
    outcome = json.loads(result.stdout)
    assert outcome["commissioned"] == 2
    assert outcome["transactions"] == 2
    (refused,) = outcome["refused"]
    assert (refused["first"], refused["last"], refused["count"]) == (taken, "NEWA4", 2)
    assert refused["code"] == "trace.duplicate_code"


def test_commission_needs_serials_or_a_count(ledger: LocalLedger, tmp_path: Path) -> None:
    neither = ledger.run(app, MAKER, ["commission", "--gtin", ITEM_GTIN, *_batch_args()])
    assert neither.exit_code == 2
    assert "--serials FILE.csv or --count N" in neither.output
    twice = tmp_path / "twice.csv"
    twice.write_text("A1\nA1\n", encoding="utf-8")
    dup = ledger.run(
        app, MAKER, ["commission", "--gtin", ITEM_GTIN, *_batch_args(), "--serials", str(twice)]
    )
    assert dup.exit_code == 2
    assert "appears twice" in dup.output


def test_a_pack_from_packing_to_sale_verify_and_recall(
    ledger: LocalLedger, packs: list[str], tmp_path: Path
) -> None:
    case_made = ledger.run(
        app,
        MAKER,
        [
            "commission",
            "--gtin",
            CASE_GTIN,
            *_batch_args(),
            "--count",
            "1",
            "--out",
            str(tmp_path / "case.csv"),
        ],
    )
    assert case_made.exit_code == 0, case_made.output
    case_serial = (tmp_path / "case.csv").read_text(encoding="utf-8").split()[1]
    case = f"sgtin:{CASE_GTIN}.{case_serial}"

    packed = ledger.run(app, MAKER, ["aggregate", case, *packs[:3]])
    assert packed.exit_code == 0, packed.output
    assert f"packed 3 code(s) into {case}" in packed.output

    wrong_market = ledger.run(
        app,
        MAKER,
        ["ship", case, "--to-org", "pharmacy", "--to-gln", PHARMACY_GLN, "--market", "FR"],
    )
    assert wrong_market.exit_code == 1
    assert "trace." in wrong_market.output  # not released for FR / not authorised there

    shipped = ledger.run(
        app,
        MAKER,
        [
            "ship",
            case,
            "--to-org",
            "pharmacy",
            "--to-gln",
            PHARMACY_GLN,
            "--market",
            "de",
            "--ref",
            "po ORD-1",
        ],
    )
    assert shipped.exit_code == 0, shipped.output
    not_mine = ledger.run(app, MAKER, ["receive", case])
    assert not_mine.exit_code == 1
    assert "trace.not_recipient" in not_mine.output
    received = ledger.run(app, PHARMACIST, ["receive", case, "--gln", PHARMACY_GLN])
    assert received.exit_code == 0, received.output

    # The pack as a scanner reads it: HRI with expiry, lot and serial.
    serial = packs[0].split(".", 1)[1]
    expiry = datetime.fromisoformat(day(730)).strftime("%y%m%d")
    hri = f"(01){ITEM_GTIN}(17){expiry}(10){LOT}(21){serial}"
    link = f"https://id.gs1.org/01/{ITEM_GTIN}/21/{packs[1].split('.', 1)[1]}"
    green = ledger.run(app, "@pharmacy", ["verify", link])
    assert green.exit_code == 0, green.output
    assert "safe to dispense" in green.output

    sold = ledger.run(app, PHARMACIST, ["dispense", hri])
    assert sold.exit_code == 0, sold.output
    assert "dispensed" in sold.output
    again = ledger.run(app, PHARMACIST, ["dispense", hri, "--json"])
    assert again.exit_code == 1
    assert json.loads(again.stdout)["result"]["alert"]["reason"] == "already_dispensed"

    red = ledger.run(app, "@pharmacy", ["verify", hri, "--json"])
    assert red.exit_code == 1
    verdict = json.loads(red.stdout)
    assert verdict["safe_to_dispense"] is False
    assert verdict["reason"] == "Dispensed"
    assert verdict["status"] == "dispensed"
    wrong_lot = hri.replace(f"(10){LOT}", "(10)OTHER")
    mismatch = ledger.run(app, "@pharmacy", ["verify", wrong_lot])
    assert mismatch.exit_code == 1
    assert "DO NOT DISPENSE" in mismatch.output
    assert "No_match_GTIN_Serial_Lot" in mismatch.output
    unknown = ledger.run(app, "@pharmacy", ["verify", f"(01){ITEM_GTIN}(21)NEVER"])
    assert unknown.exit_code == 1
    assert "No_match_GTIN_Serial" in unknown.output
    garbage = ledger.run(app, "@pharmacy", ["verify", "(01)123"])
    assert garbage.exit_code == 2
    assert "is not a code" in garbage.output

    story = ledger.run(app, AUDITOR, ["history", hri, "--json"])
    assert story.exit_code == 0, story.output
    events = [e["event"] for e in json.loads(story.stdout)["events"]]
    assert events[0] == "commissioned"
    assert "dispensed" in events
    table = ledger.run(app, AUDITOR, ["history", packs[0]])
    assert table.exit_code == 0
    assert "history of" in table.output

    document = tmp_path / "pack.jsonld"
    exported = ledger.run(app, AUDITOR, ["export-epcis", packs[0], "--out", str(document)])
    assert exported.exit_code == 0, exported.output
    written = json.loads(document.read_text(encoding="utf-8"))
    steps = [e.get("bizStep") for e in written["epcisBody"]["eventList"]]
    assert steps[0] == "commissioning"
    assert "dispensing" in steps
    assert "shipping" in steps

    recalled = ledger.run(
        app, MAKER, ["recall", "--product-key", ITEM, "--lot", LOT, "--reason", "sterility"]
    )
    assert recalled.exit_code == 0, recalled.output
    assert "holders to notify:" in recalled.output
    assert "pharmacy" in recalled.output
    after = ledger.run(app, "@pharmacy", ["verify", link])
    assert after.exit_code == 1
    assert "Recalled" in after.output


def test_import_epcis_commissions_what_the_document_says(
    ledger: LocalLedger, packs: list[str], tmp_path: Path
) -> None:
    record = TraceRecord(
        height=1,
        tx_index=0,
        tx_id="ab" * 32,
        block_time_ms=now_ms(),
        signer_org="manufacturer",
        function="commission",
        args={
            "lot": "CLI-L2",
            "production_date": day(0),
            "expiry": day(730),
            "gtin": ITEM_GTIN,
            "serials": ["IMP1", "IMP2"],
        },
    )
    document = export_document([record], creation_date=datetime.now(UTC)).document
    path = tmp_path / "in.jsonld"
    path.write_text(json.dumps(document), encoding="utf-8")

    not_theirs = ledger.run(app, PHARMACIST, ["import-epcis", str(path)])
    assert not_theirs.exit_code == 2
    assert "cli.epcis_other_org" in not_theirs.output

    no_batch = ledger.run(app, MAKER, ["import-epcis", str(path)])
    assert no_batch.exit_code == 1
    assert "trace.unknown_batch" in no_batch.output

    release_batch(ledger, ITEM, "CLI-L2", ["DE"])
    imported = ledger.run(app, MAKER, ["import-epcis", str(path), "--json"])
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["imported"] == 1
    found = ledger.run(app, "@manufacturer", ["verify", f"sgtin:{ITEM_GTIN}.IMP2", "--json"])
    assert json.loads(found.stdout)["commissioned"] is True


def test_an_unreachable_node_exits_3(ledger: LocalLedger) -> None:
    env = ledger.env("pharmacy") | {"RXL_NODES": "http://127.0.0.1:9"}
    result = CliRunner().invoke(app, ["verify", f"(01){ITEM_GTIN}(21)X"], env=env)
    assert result.exit_code == 3
