"""`rxl epcis hash` and `rxl epcis validate`, run in-process."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from sdk.epcis import build_document
from tests.sdk.epcis.test_event_hash import WORKED_EVENT, WORKED_HASH

runner = CliRunner()


def _write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "doc.jsonld"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def _document() -> dict[str, object]:
    second = copy.deepcopy(WORKED_EVENT)
    second["action"] = "ADD"
    created = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    return build_document([WORKED_EVENT, second], creation_date=created)


def test_hash_prints_one_line_per_event_in_order(tmp_path: Path) -> None:
    result = runner.invoke(app, ["epcis", "hash", str(_write(tmp_path, _document()))])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0] == WORKED_HASH
    assert lines[1] != WORKED_HASH
    assert lines[1].startswith("ni:///sha-256;")
    assert lines[1].endswith("?ver=CBV2.0")


def test_hash_rejects_invalid_json_and_documents(tmp_path: Path) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["epcis", "hash", str(bad_json)])
    assert result.exit_code == 2
    assert "is not JSON" in result.stderr
    no_events = runner.invoke(app, ["epcis", "hash", str(_write(tmp_path, {"a": 1}))])
    assert no_events.exit_code == 2
    assert "eventList" in no_events.stderr
    missing = runner.invoke(app, ["epcis", "hash", str(tmp_path / "missing.json")])
    assert missing.exit_code == 2


def test_validate(tmp_path: Path) -> None:
    good = runner.invoke(app, ["epcis", "validate", str(_write(tmp_path, _document()))])
    assert good.exit_code == 0
    assert "2 events" in good.stdout
    broken = _document()
    del broken["schemaVersion"]
    bad = runner.invoke(app, ["epcis", "validate", str(_write(tmp_path, broken))])
    assert bad.exit_code == 2
    assert "'schemaVersion' is a required property" in bad.stderr
