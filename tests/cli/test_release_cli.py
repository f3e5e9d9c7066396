"""`rxl release` against a real local network: a batch from registration to the QP's
signed release, with what blocks it on the way, then quarantine and recall."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.release import app
from tests.cli.ledger_support import (
    LocalLedger,
    day,
    passing_coa_tests,
    sha256_hex,
    start_ledger,
)

pytestmark = pytest.mark.e2e

PRODUCT = "gtin:09506000134376"
LOT = "REL-1"
OPERATOR, QA, QP = "operator@manufacturer", "qa@manufacturer", "qp@manufacturer"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLedger]:
    yield from start_ledger(tmp_path_factory.mktemp("release-cli"))


def _codes(ledger: LocalLedger) -> list[str]:
    result = ledger.run(app, QP, ["blockers", PRODUCT, LOT, "--json"])
    assert result.exit_code == 0, result.output
    return [b["code"] for b in json.loads(result.stdout)]


def test_a_batch_from_registration_to_release_and_recall(
    ledger: LocalLedger, tmp_path: Path
) -> None:
    registered = ledger.run(
        app,
        OPERATOR,
        [
            "register",
            PRODUCT,
            LOT,
            "--size",
            "1000",
            "--unit",
            "packs",
            "--site-gln",
            "9506000000015",
            "--manufactured",
            day(0),
            "--expiry",
            day(730),
            "--ebr-sha256",
            sha256_hex("ebr"),
        ],
    )
    assert registered.exit_code == 0, registered.output
    assert "batch REL-1 registered" in registered.output
    assert _codes(ledger) == ["release.coa_missing"]

    tests_file = tmp_path / "coa.json"
    tests_file.write_text(json.dumps(passing_coa_tests()), encoding="utf-8")
    coa = ["coa", PRODUCT, LOT, "--lab", "QC", "--document-sha256", sha256_hex("coa")]
    not_qa = ledger.run(app, OPERATOR, [*coa, "--tests", f"@{tests_file}"])
    assert not_qa.exit_code == 1
    assert "permission.missing_role" in not_qa.output
    bad_json = ledger.run(app, QA, [*coa, "--tests", "[{"])
    assert bad_json.exit_code == 2
    assert "--tests is not valid JSON" in bad_json.output
    recorded = ledger.run(app, QA, [*coa, "--tests", f"@{tests_file}"])
    assert recorded.exit_code == 0, recorded.output

    major = ["deviation", PRODUCT, LOT, "DEV-7", "--severity", "major"]
    opened = ledger.run(app, QA, [*major, "--description", "fill weight drift"])
    assert opened.exit_code == 0, opened.output
    assert _codes(ledger) == ["release.open_deviation"]
    table = ledger.run(app, QP, ["blockers", PRODUCT, LOT])
    assert "release.open_deviation" in table.output
    blocked = ledger.run(
        app, QP, ["release", PRODUCT, LOT, "--market", "DE", "--printed-name", "Dr. Q"]
    )
    assert blocked.exit_code == 1
    assert "release.open_deviation" in blocked.output
    closed = ledger.run(
        app, QA, ["close-deviation", PRODUCT, LOT, "DEV-7", "--impact-assessment", "none"]
    )
    assert closed.exit_code == 0, closed.output
    releasable = ledger.run(app, QP, ["blockers", PRODUCT, LOT])
    assert "releasable" in releasable.output

    released = ledger.run(
        app,
        QP,
        ["release", PRODUCT, LOT, "--market", "de", "--market", "AT", "--printed-name", "Dr. Q"],
    )
    assert released.exit_code == 0, released.output
    assert "signed record sha256" in released.output
    shown = ledger.run(app, QP, ["show", PRODUCT, LOT, "--json"])
    status = json.loads(shown.stdout)["status"]
    assert status["status"] == "released"
    assert sorted(status["released_markets"]) == ["AT", "DE"]

    minor = ["deviation", PRODUCT, LOT, "DEV-8", "--severity", "minor", "--description", "late"]
    locked = ledger.run(app, QA, minor)
    assert locked.exit_code == 1
    assert "release.batch_locked" in locked.output
    held = ledger.run(app, QA, ["quarantine", PRODUCT, LOT, "--reason", "complaint"])
    assert held.exit_code == 0, held.output
    recalled = ledger.run(app, QA, ["recall", PRODUCT, LOT, "--reason", "confirmed defect"])
    assert recalled.exit_code == 0, recalled.output
    final = ledger.run(app, QP, ["show", PRODUCT, LOT])
    assert "recalled" in final.output


def test_signing_an_unknown_batch_is_refused_before_anything_is_signed(
    ledger: LocalLedger,
) -> None:
    """The record to sign is read first; a batch nobody registered is nobody's to read."""
    result = ledger.run(
        app, QP, ["reject", PRODUCT, "NOPE", "--reason", "x", "--printed-name", "Dr. Q"]
    )
    assert result.exit_code == 1
    assert "access.denied" in result.output
