"""A real local network for CLI tests of the domain commands (trace, supplier, release,
coldchain): generated into a temporary folder on free ports, started as node processes, and
members who run `rxl` commands in-process with their own key (through the environment a
profile would otherwise give)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import typer
from click.testing import Result
from typer.testing import CliRunner

from network import local
from network.consortium import Consortium, generate_consortium
from network.orgs import default_orgs
from sdk.client import Client, Identity
from tests.network.local_support import free_base_ports

RUNNER = CliRunner()


@dataclass(frozen=True, slots=True)
class LocalLedger:
    consortium: Consortium
    urls: dict[str, str]
    config_dir: Path

    def env(self, org: str, member: str | None = None) -> dict[str, str]:
        """The environment a command runs with as ``member@org`` (no key: public reads)."""
        env = {
            "RXL_CONFIG_DIR": str(self.config_dir),
            "RXL_NODES": self.urls[org],
            "RXL_KEY": "",
            "RXL_CERT": "",
            "RXL_PROFILE": "",
            "RXL_KEY_PASSPHRASE": "",
        }
        if member is not None:
            found = self.member(org, member)
            env |= {"RXL_KEY": str(found[0]), "RXL_CERT": str(found[1])}
        return env

    def member(self, org: str, name: str) -> tuple[Path, Path]:
        for member in self.consortium.members:
            if member.org == org and member.name == name:
                return member.key_file, member.cert_file
        raise LookupError(f"no member {name}@{org}")

    def client(self, org: str, member: str) -> Client:
        key, cert = self.member(org, member)
        return Client([self.urls[org]], identity=Identity.load(key, cert, ""))

    def run(self, app: typer.Typer, who: str, args: Sequence[str]) -> Result:
        """Run ``args`` on ``app`` as ``who`` (``name@org``, or ``@org`` for no key)."""
        name, _, org = who.partition("@")
        return RUNNER.invoke(app, list(args), env=self.env(org, name or None))


def start_ledger(directory: Path) -> Iterator[LocalLedger]:
    """Generate and start the preset consortium; stop it afterwards."""
    orgs = default_orgs()
    api, peer = free_base_ports(len(orgs))
    made = generate_consortium(
        directory / "net", orgs, insecure_dev_keys=True, base_api_port=api, base_peer_port=peer
    )
    try:
        statuses = local.up(made.directory, wait_s=60)
        urls = {status.node.org: status.node.api_url for status in statuses}
        config = directory / "config"
        config.mkdir()
        yield LocalLedger(made, urls, config)
    finally:
        local.down(made.directory, grace_s=10)


def sha256_hex(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


def now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def passing_coa_tests() -> list[dict[str, object]]:
    return [
        {
            "test": "assay",
            "name": "Assay (HPLC), % of label claim",
            "method": "Ph. Eur. 2.2.29",
            "spec": {"kind": "numeric", "min": 950, "max": 1050, "scale": 1},
            "result": {"kind": "numeric", "value": 1003, "scale": 1},
        }
    ]


def release_batch(ledger: LocalLedger, product_key: str, lot: str, markets: list[str]) -> None:
    """Register, test and QP-release a batch through the SDK (set-up for trace tests)."""
    with ledger.client("manufacturer", "operator") as operator:
        operator.release.register_batch(
            product_key=product_key,
            lot=lot,
            size=1000,
            site_gln="9506000000015",
            manufactured=day(0),
            expiry=day(730),
            ebr_sha256=sha256_hex(f"ebr {lot}"),
        )
    with ledger.client("manufacturer", "qa") as qa:
        qa.release.record_coa(
            product_key=product_key,
            lot=lot,
            lab="QC lab",
            document_sha256=sha256_hex(f"coa {lot}"),
            tests=passing_coa_tests(),  # type: ignore[typeddict-item]
        )
    with ledger.client("manufacturer", "qp") as qp:
        batch = qp.release.get_batch(product_key=product_key, lot=lot)
        assert isinstance(batch, dict)
        qp.release.release_batch(
            product_key=product_key,
            lot=lot,
            markets=markets,
            manifest={
                "printed_name": "Dr. Q. Person",
                "signed_at_ms": now_ms(),
                "meaning": "release",
                "record_sha256": str(batch["record_sha256"]),
            },
        )
