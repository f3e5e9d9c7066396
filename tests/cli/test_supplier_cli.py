"""`rxl supplier` against a real local network: the manufacturer's QA qualifies an API
supplier (register, material, certificate, audit, agreement, approval) and reads it back."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from cli.supplier import app
from tests.cli.ledger_support import LocalLedger, day, now_ms, sha256_hex, start_ledger

pytestmark = pytest.mark.e2e

QA, OPERATOR, AUDITOR = "qa@manufacturer", "operator@manufacturer", "auditor@regulator"
SUPPLIER, MATERIAL = "SUP-AURORA", "API-GLA"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLedger]:
    yield from start_ledger(tmp_path_factory.mktemp("supplier-cli"))


def _ok(ledger: LocalLedger, args: list[str]) -> str:
    result = ledger.run(app, QA, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_qualifying_a_supplier(ledger: LocalLedger) -> None:
    site = "--site=9506000000015=API plant=Example Park 2"
    bad_site = ledger.run(
        app,
        QA,
        ["register", SUPPLIER, "--org-id", "aurora", "--name", "A", "--site", "9506000000015"],
    )
    assert bad_site.exit_code == 2
    assert "GLN=name" in bad_site.output
    not_qa = ledger.run(
        app, OPERATOR, ["register", SUPPLIER, "--org-id", "aurora", "--name", "Aurora API AG", site]
    )
    assert not_qa.exit_code == 1
    assert "permission.missing_role" in not_qa.output
    assert "registered" in _ok(
        ledger, ["register", SUPPLIER, "--org-id", "aurora", "--name", "Aurora API AG", site]
    )
    _ok(
        ledger,
        [
            "material",
            MATERIAL,
            "--name",
            "Insulin glargine",
            "--specification",
            "SPEC-1",
            "--spec-version",
            "4",
            "--spec-sha256",
            sha256_hex("spec"),
            "--critical",
        ],
    )
    _ok(ledger, ["assign", SUPPLIER, MATERIAL])
    early = ledger.run(app, QA, ["status", SUPPLIER, MATERIAL, "--reason", "x"])
    assert early.exit_code == 2  # MATERIAL is not a status: click refuses it
    _ok(
        ledger,
        [
            "certificate",
            SUPPLIER,
            "GMP-1",
            "--type",
            "gmp_certificate",
            "--issuer",
            "Swissmedic",
            "--number",
            "GMP-1",
            "--scope",
            "biologics",
            "--valid-from",
            day(-200),
            "--valid-to",
            day(1000),
            "--document-sha256",
            sha256_hex("gmp"),
        ],
    )
    _ok(
        ledger,
        [
            "audit",
            SUPPLIER,
            "AUD-1",
            "--date",
            day(-60),
            "--auditor",
            "QA",
            "--outcome",
            "satisfactory",
            "--next-due",
            day(600),
        ],
    )
    _ok(
        ledger,
        [
            "agreement",
            SUPPLIER,
            "QAG-1",
            "--signed",
            day(-90),
            "--document-sha256",
            sha256_hex("qag"),
        ],
    )
    before = ledger.run(app, QA, ["was-approved", SUPPLIER, MATERIAL, "--at", str(now_ms())])
    assert before.exit_code == 1
    assert "not approved" in before.output
    assert "approved" in _ok(ledger, ["status", SUPPLIER, "approved", "--reason", "audit ok"])
    _ok(ledger, ["status", SUPPLIER, "approved", "--material", MATERIAL, "--reason", "ok"])

    after = ledger.run(
        app, QA, ["was-approved", SUPPLIER, MATERIAL, "--at", str(now_ms()), "--json"]
    )
    assert after.exit_code == 0, after.output
    assert json.loads(after.stdout)["approved"] is True
    shown = json.loads(_ok(ledger, ["show", SUPPLIER, "--json"]))
    assert "Aurora API AG" in json.dumps(shown)
    table = _ok(ledger, ["history", SUPPLIER])
    assert "approved" in table
    assert "audit ok" in table
    due = ledger.run(app, AUDITOR, ["due", "--before", day(700), "--json"])
    assert due.exit_code == 0, due.output
    assert [item["supplier"] for item in json.loads(due.stdout)] == [SUPPLIER]
    later = ledger.run(app, AUDITOR, ["due", "--before", day(500), "--json"])
    assert json.loads(later.stdout) == []
    final = ledger.run(app, QA, ["status", SUPPLIER, "disqualified", "--reason", "fraud"])
    assert final.exit_code == 0, final.output
    back = ledger.run(app, QA, ["status", SUPPLIER, "approved", "--reason", "again"])
    assert back.exit_code == 1
    assert "supplier.bad_transition" in back.output
