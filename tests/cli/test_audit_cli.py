"""`rxl audit` against a real 4-org local network: a regulator's history of a code, a batch
and an org, over a time range, as JSON, CSV and EPCIS 2.0; other members are refused."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.audit import app
from sdk.epcis import document_event_hashes, validate_document
from tests.cli.ledger_support import LocalLedger, now_ms, release_batch, start_ledger

pytestmark = pytest.mark.e2e

GTIN = "09501101530003"
PRODUCT_KEY = f"gtin:{GTIN}"
LOT = "AUD1"
CODE = f"(01){GTIN}(21)A1"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLedger]:
    yield from start_ledger(tmp_path_factory.mktemp("audit"))


@pytest.fixture(scope="module")
def story(ledger: LocalLedger) -> dict[str, int]:
    """A batch commissioned, shipped to the pharmacy, received and one pack dispensed."""
    with ledger.client("manufacturer", "operator") as operator:
        operator.trace.register_product(
            product_key=PRODUCT_KEY,
            mah_org="manufacturer",
            generic_name="amoxicillin",
            dosage_form="capsule",
            strength="500 mg",
            pack_size=20,
            markets=["DE"],
            storage_min_centi_c=1500,
            storage_max_centi_c=2500,
        )
    release_batch(ledger, PRODUCT_KEY, LOT, ["DE"])
    with ledger.client("manufacturer", "operator") as operator:
        commissioned = operator.trace.commission(
            lot=LOT,
            production_date="2025-12-01",
            expiry="2027-12-01",
            gtin=GTIN,
            serials=["A1", "A2"],
        )
        after_commission = now_ms()
        operator.trace.ship(
            codes=[CODE, f"(01){GTIN}(21)A2"],
            to_org="pharmacy",
            to_gln="0614141000005",
            market="DE",
        )
    with ledger.client("pharmacy", "pharmacist") as pharmacist:
        pharmacist.trace.receive(codes=[CODE, f"(01){GTIN}(21)A2"])
        pharmacist.trace.dispense(code=CODE)
    return {"commission_ms": commissioned.block_time_ms, "after_commission_ms": after_commission}


def _json(ledger: LocalLedger, args: list[str]) -> list[dict[str, object]]:
    result = ledger.run(app, "auditor@regulator", [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_a_code_history_in_ledger_order(ledger: LocalLedger, story: dict[str, int]) -> None:
    rows = _json(ledger, ["code", CODE])
    assert [row["event"] for row in rows][:1] == ["commissioned"]
    assert {row["org"] for row in rows} == {"manufacturer", "pharmacy"}
    heights = [int(str(row["height"])) for row in rows]
    assert heights == sorted(heights)
    assert len(rows) >= 4


def test_a_time_range_keeps_only_entries_inside_it(
    ledger: LocalLedger, story: dict[str, int]
) -> None:
    everything = _json(ledger, ["batch", PRODUCT_KEY, LOT])
    later = _json(ledger, ["batch", PRODUCT_KEY, LOT, "--from", str(story["after_commission_ms"])])
    before = _json(ledger, ["batch", PRODUCT_KEY, LOT, "--to", str(story["after_commission_ms"])])
    assert later
    assert before
    assert len(later) + len(before) == len(everything)
    assert "commissioned" in {row["event"] for row in before}
    assert "commissioned" not in {row["event"] for row in later}


def test_an_org_history_holds_only_that_org(ledger: LocalLedger, story: dict[str, int]) -> None:
    rows = _json(ledger, ["org", "pharmacy"])
    assert rows
    assert {row["org"] for row in rows} == {"pharmacy"}


def test_csv_export_to_a_file(ledger: LocalLedger, story: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "batch.csv"
    result = ledger.run(
        app, "auditor@regulator", ["batch", PRODUCT_KEY, LOT, "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows == [
        {k: (json.dumps(v, sort_keys=True) if k == "data" else str(v)) for k, v in row.items()}
        for row in _json(ledger, ["batch", PRODUCT_KEY, LOT])
    ]


def test_epcis_export_is_a_valid_document_of_the_code(
    ledger: LocalLedger, story: dict[str, int]
) -> None:
    result = ledger.run(app, "auditor@regulator", ["code", CODE, "--format", "epcis"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    validate_document(document)
    steps = [event["bizStep"] for event in document["epcisBody"]["eventList"]]
    assert steps == ["commissioning", "shipping", "receiving", "dispensing"]
    assert len(set(document_event_hashes(document))) == 4


def test_a_member_who_is_not_a_regulator_is_refused(
    ledger: LocalLedger, story: dict[str, int]
) -> None:
    result = ledger.run(
        app, "operator@manufacturer", ["batch", PRODUCT_KEY, LOT, "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["error"]["code"].startswith("access.")


def test_bad_times_exit_2(ledger: LocalLedger) -> None:
    for args in (
        ["org", "pharmacy", "--from", "yesterday"],
        ["org", "pharmacy", "--from", "2025-02-01", "--to", "2025-01-01"],
    ):
        result = ledger.run(app, "auditor@regulator", args)
        assert result.exit_code == 2, (args, result.output)
