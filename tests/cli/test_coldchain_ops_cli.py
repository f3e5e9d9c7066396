"""`rxl coldchain` ledger commands against a real local network: the distributor's logger
rides a leg, its signed readings raise an excursion, the MAH's QA decides it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cli.coldchain_ops import app
from sdk.keyfile import CHEAP_KDF, save_key
from sdk.keys import SigningKey
from tests.cli.ledger_support import LocalLedger, day, start_ledger

pytestmark = pytest.mark.e2e

DRIVER, MAKER_QA = "operator@distributor", "qa@manufacturer"
LEG, LOGGER = "LEG-CLI-1", "TL-CLI-1"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLedger]:
    yield from start_ledger(tmp_path_factory.mktemp("coldchain-cli"))


def _csv(path: Path, start: datetime, temperatures: list[str], step_s: int = 10) -> Path:
    rows = ["time,celsius"] + [
        f"{(start + timedelta(seconds=i * step_s)).isoformat()},{t}"
        for i, t in enumerate(temperatures)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_logged_leg_with_an_excursion(ledger: LocalLedger, tmp_path: Path) -> None:
    key_file = tmp_path / "logger.key"
    save_key(key_file, SigningKey.generate(), "", kdf=CHEAP_KDF)
    registered = ledger.run(
        app,
        DRIVER,
        [
            "device",
            LOGGER,
            "--model",
            "USB logger",
            "--calibration-certificate",
            "CAL-1",
            "--calibration-expiry",
            day(300),
            "--device-key",
            str(key_file),
        ],
    )
    assert registered.exit_code == 0, registered.output
    opened = ledger.run(
        app,
        DRIVER,
        [
            "leg",
            LEG,
            "--min",
            "2",
            "--max",
            "8",
            "--device",
            LOGGER,
            "--batch",
            "gtin:09506000134376:CC-1",
            "--responsible-org",
            "manufacturer",
        ],
    )
    assert opened.exit_code == 0, opened.output

    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    cool = _csv(tmp_path / "cool.csv", start, ["4.5", "4.75", "5"])
    ok = ledger.run(
        app, DRIVER, ["readings", LEG, LOGGER, str(cool), "--device-key", str(key_file)]
    )
    assert ok.exit_code == 0, ok.output
    assert "3 readings of TL-CLI-1 recorded" in ok.output
    assert "EXCURSION" not in ok.output

    off_grid = _csv(tmp_path / "odd.csv", start + timedelta(minutes=1), ["5", "5"], step_s=7)
    refused = ledger.run(
        app, DRIVER, ["readings", LEG, LOGGER, str(off_grid), "--device-key", str(key_file)]
    )
    assert refused.exit_code == 2
    assert "--interval" in refused.output
    stranger = SigningKey.generate()
    other_key = tmp_path / "other.key"
    save_key(other_key, stranger, "", kdf=CHEAP_KDF)
    warm = _csv(tmp_path / "warm.csv", start + timedelta(minutes=1), ["12", "12.5", "13"])
    forged = ledger.run(
        app, DRIVER, ["readings", LEG, LOGGER, str(warm), "--device-key", str(other_key)]
    )
    assert forged.exit_code == 1
    assert "coldchain.bad_signature" in forged.output

    hot = ledger.run(
        app, DRIVER, ["readings", LEG, LOGGER, str(warm), "--device-key", str(key_file), "--json"]
    )
    assert hot.exit_code == 0, hot.output
    assert json.loads(hot.stdout)["result"]["excursion"] is not None
    found = ledger.run(app, DRIVER, ["excursions", LEG, "--json"])
    assert found.exit_code == 0, found.output
    assert len(json.loads(found.stdout)) == 1
    leg = ledger.run(app, DRIVER, ["show-leg", LEG, "--json"])
    assert leg.exit_code == 0, leg.output
    assert LOGGER in leg.stdout

    not_qa = ledger.run(
        app, DRIVER, ["resolve", LEG, "1", "--decision", "reject", "--reason", "too warm"]
    )
    assert not_qa.exit_code == 1
    decided = ledger.run(
        app, MAKER_QA, ["resolve", LEG, "1", "--decision", "reject", "--reason", "too warm"]
    )
    assert decided.exit_code == 0, decided.output
    closed = ledger.run(app, DRIVER, ["close", LEG])
    assert closed.exit_code == 0, closed.output
    late = ledger.run(
        app, DRIVER, ["readings", LEG, LOGGER, str(warm), "--device-key", str(key_file)]
    )
    assert late.exit_code == 1
    assert "coldchain.leg_closed" in late.output
