"""The scripts in examples/ run against the API over the in-memory ledger, and every code
block of docs/sdk.md that names an example is a verbatim excerpt of it (the docs never lie)."""

from __future__ import annotations

import importlib.util
import random
import re
from pathlib import Path
from types import ModuleType

import pytest

from sdk.client import AsyncClient, Client
from sdk.pki import create_org_ca, issue_node_certificate, save_certificate, utc
from sdk.roles import Role
from tests.sdk.client.conftest import (
    MAKER,
    REGULATOR,
    AsgiNodes,
    ServedNode,
    VirtualTime,
)
from tests.sdk.client.files import CA_KEY, member_files
from tests.sdk.client.ledger import PROPOSER, MemoryLedger, NodeView
from tests.sdk.client.streams import commissions, positions, product_and_batch

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
DOC = ROOT / "docs" / "sdk.md"


def example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_commission_and_verify_runs_twice_and_from_its_command_line(
    node1: ServedNode,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    script = example("commission_and_verify")
    with Client([node1.url], identity=MAKER) as client:
        first = script.run(client, org="acme")
        again = script.run(client, org="acme")  # a rerun meets the duplicates and carries on
    assert first.verified
    assert first.commissioned
    assert again == first
    key_file, cert_file = member_files(tmp_path, MAKER.key, "acme", Role.MANUFACTURER, Role.QA)
    monkeypatch.setenv("RXL_NODES", node1.url)
    monkeypatch.setenv("RXL_KEY", str(key_file))
    monkeypatch.setenv("RXL_CERT", str(cert_file))
    script.main()
    assert "sgtin:09501101530003.S1: genuine, lot L1, expires 2027-12-01" in capsys.readouterr().out


def test_durable_submit_survives_timeouts_and_a_crash(
    node1: ServedNode,
    ledger: MemoryLedger,
    tmp_path: Path,
    vtime: VirtualTime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    script = example("durable_submit")
    product_and_batch(ledger, MAKER)
    outbox = tmp_path / "outbox.tx"
    ledger.hold_commits = True

    def commit_after_the_first_timeout(_: float) -> None:
        if sum(vtime.sleeps) > 10.01:  # the first attempt waited its 10 s in vain
            ledger.hold_commits = False
            ledger.commit()

    vtime.on_sleep.append(commit_after_the_first_timeout)
    args = {"lot": "L1", "production_date": "2025-12-01", "expiry": "2027-12-01",
            "gtin": "09501101530003", "serials": ["D1"]}  # fmt: skip
    with Client([node1.url], identity=MAKER, sleep=vtime.sleep, clock=vtime.clock) as client:
        committed = script.run(client, outbox, "trace", "commission", args)
        assert "attempt 1: not committed within 10.0 s" in capsys.readouterr().out
        assert not outbox.exists()
        # A crash after sending, before the outcome was known: the outbox still holds it.
        tx = client.build("trace", "commission", {**args, "serials": ["D2"]})
        outbox.write_bytes(tx.to_wire())
        client.submit(tx)
        ledger.commit()
        recovered = script.run(client, outbox, "trace", "commission", {"ignored": True})
    assert recovered.tx_id == tx.tx_id.hex()
    assert ledger.executions[committed.tx_id] == 1
    assert ledger.executions[recovered.tx_id] == 1


async def test_follow_events_resumes_from_its_saved_position(
    asgi_views: dict[str, NodeView], ledger: MemoryLedger, tmp_path: Path, vtime: VirtualTime
) -> None:
    script = example("follow_events")
    product_and_batch(ledger, MAKER)
    commissions(ledger, MAKER, blocks=2, per_block=2)
    trace_events = [e for e in ledger.log if e.contract == "trace"]
    position = tmp_path / "position.txt"
    async with AsyncClient(
        ["http://node1.test"],
        identity=REGULATOR,
        transport=AsgiNodes(asgi_views),
        sleep=vtime.async_sleep,
        rng=random.Random(2),
    ) as client:
        first = await script.follow(client, position, limit=2)
        rest = await script.follow(client, position, limit=len(trace_events) - 2)
    assert positions(first + rest) == positions(trace_events)
    assert position.read_text() == str(rest[-1].position)


def test_verify_proof_trusts_node_keys_from_certificates(
    node1: ServedNode, ledger: MemoryLedger, tmp_path: Path
) -> None:
    script = example("verify_proof")
    product_and_batch(ledger, MAKER)
    ca = create_org_ca("acme", CA_KEY, not_before=utc(2025, 1, 1), not_after=utc(2035, 1, 1))
    node_cert = issue_node_certificate(
        ca, CA_KEY, PROPOSER.public_key, name="node1", not_before=utc(2025, 1, 1),
        not_after=utc(2035, 1, 1),
    )  # fmt: skip
    save_certificate(tmp_path / "ca.pem", ca)
    save_certificate(tmp_path / "node1.pem", node_cert)
    keys = script.node_keys(tmp_path / "ca.pem", [tmp_path / "node1.pem"])
    tx_id = list(ledger.receipts)[1]
    with Client([node1.url], identity=REGULATOR) as client:
        header = script.run(client, tx_id, keys)
    assert header.height == 2


def test_audit_history_reads_every_version(node1: ServedNode, ledger: MemoryLedger) -> None:
    script = example("audit_history")
    product_and_batch(ledger, MAKER)
    commissions(ledger, MAKER, blocks=1, per_block=1)
    with Client([node1.url], identity=REGULATOR) as client:
        (entry,) = client.iter_state("trace", "code/")
        versions, history = script.run(client, entry.key.removeprefix("code/"))
    assert [v.height for v in versions] == [3]
    assert isinstance(history, dict)
    assert history["commissioned"] is True
    assert isinstance(history["events"], list)
    assert [e["event"] for e in history["events"] if isinstance(e, dict)] == ["commissioned"]


EXCERPT = re.compile(r"```python\n# examples/([a-z_]+\.py)\n(.*?)```", re.DOTALL)


def test_every_example_is_documented_and_doc_excerpts_are_verbatim() -> None:
    text = DOC.read_text(encoding="utf-8")
    excerpts = EXCERPT.findall(text)
    assert excerpts, "docs/sdk.md quotes no example"
    for name, body in excerpts:
        source = (EXAMPLES / name).read_text(encoding="utf-8")
        assert body.strip() in source, f"docs/sdk.md quotes {name} but the file differs"
    scripts = {path.name for path in EXAMPLES.glob("*.py")}
    assert scripts <= {name for name, _ in excerpts} | set(
        re.findall(r"examples/([a-z_]+\.py)", text)
    )
    assert scripts == set(re.findall(r"examples/([a-z_]+\.py)", text))
