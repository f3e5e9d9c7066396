from __future__ import annotations

import json
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509

from chaincode.contracts.config.genesis import config_genesis_state
from chaincode.contracts.msp.genesis import genesis_state
from network.consortium import (
    Consortium,
    PinnedContract,
    default_orgs,
    generate_consortium,
)
from network.errors import ConsortiumExists, NodesRunning, PortBusy
from network.layout import ConsortiumLayout
from network.orgs import OrgSpec
from network.processes import PidRecord, write_pid
from node.config import load_config
from node.genesis import load_genesis
from node.node_key import load_node_key
from sdk import pki
from sdk.keyfile import CHEAP_KDF, DEFAULT_KDF, load_key
from sdk.roles import Role

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
PINS = [PinnedContract("trace", "1.0.0", "ab" * 32), PinnedContract("msp", "1.0.0", "cd" * 32)]


def _generate(directory: Path, **kwargs: object) -> Consortium:
    arguments: dict[str, object] = {
        "insecure_dev_keys": True,
        "check_ports": False,
        "now": NOW,
        "contracts": PINS,
    }
    arguments.update(kwargs)
    return generate_consortium(directory, default_orgs(), **arguments)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def consortium(tmp_path_factory: pytest.TempPathFactory) -> Consortium:
    return _generate(tmp_path_factory.mktemp("consortium") / "net")


def test_genesis_loads_as_the_node_reads_it(consortium: Consortium) -> None:
    genesis = load_genesis(consortium.genesis)
    assert genesis.chain_id == "rxledger-dev"
    assert genesis.created_ms == int(NOW.timestamp() * 1000)
    assert [o.id for o in genesis.orgs] == [
        "manufacturer",
        "distributor",
        "pharmacy",
        "regulator",
    ]
    assert genesis.governance_policy == "MAJORITY admins"
    assert [(c.name, c.version, c.code_hash) for c in genesis.contracts] == [
        (p.name, p.version, p.code_hash) for p in PINS
    ]
    assert all(n.voter for n in genesis.nodes)
    assert [(n.id, n.org, n.host, n.api_port, n.peer_port) for n in genesis.nodes] == [
        (1, "manufacturer", "127.0.0.1", 7100, 7200),
        (2, "distributor", "127.0.0.1", 7101, 7201),
        (3, "pharmacy", "127.0.0.1", 7102, 7202),
        (4, "regulator", "127.0.0.1", 7103, 7203),
    ]


def test_msp_and_config_accept_the_genesis(consortium: Consortium) -> None:
    genesis = load_genesis(consortium.genesis)
    msp = dict(genesis_state(genesis))
    assert sum(1 for key in msp if key.startswith("node/")) == 4
    members = [v for k, v in msp.items() if k.startswith("member/")]
    assert len(members) == 4 + len(consortium.members)
    config = dict(config_genesis_state(genesis))
    assert config["policy"] == "MAJORITY admins"


def test_every_org_has_an_admin_and_its_demo_members(consortium: Consortium) -> None:
    names = {(m.org, m.name): m.roles for m in consortium.members}
    for org in ("manufacturer", "distributor", "pharmacy", "regulator"):
        assert names[(org, "admin")] == {Role.ADMIN}
    assert names[("manufacturer", "qp")] == {Role.QP}
    assert names[("pharmacy", "pharmacist")] == {Role.PHARMACY}
    assert names[("regulator", "auditor")] == {Role.REGULATOR}


def test_node_configs_load_with_paths_inside_the_folder(consortium: Consortium) -> None:
    layout = ConsortiumLayout(consortium.directory)
    for node in consortium.nodes:
        config = load_config(node.config)
        paths = layout.org(node.org)
        assert config.node_id == node.node_id
        assert config.genesis == consortium.genesis.resolve()
        assert config.data_dir == paths.data_dir.resolve()
        assert config.tls.cert == paths.node_cert.resolve()
        assert config.tls.key == paths.node_key.resolve()
        assert (config.api.host, config.api.port) == ("127.0.0.1", node.api_port)
        assert (config.peer.host, config.peer.port) == ("127.0.0.1", node.peer_port)


def test_node_certificates_verify_against_their_org_ca(consortium: Consortium) -> None:
    genesis = load_genesis(consortium.genesis)
    layout = ConsortiumLayout(consortium.directory)
    for node in genesis.nodes:
        paths = layout.org(node.org)
        ca = pki.load_certificate(paths.ca_cert)
        cert = pki.load_certificate(paths.node_cert)
        identity = pki.verify_certificate(cert, ca, at=NOW)
        assert identity.org_id == node.org
        assert identity.roles == {Role.NODE}
        assert pki.certificate_to_pem(cert).decode() == node.cert_pem
        assert load_node_key(paths.node_key).public_key == identity.public_key
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]


def test_member_keys_open_and_match_their_certificates(consortium: Consortium) -> None:
    for member in consortium.members:
        ca = pki.load_certificate(ConsortiumLayout(consortium.directory).org(member.org).ca_cert)
        identity = pki.verify_certificate(pki.load_certificate(member.cert_file), ca, at=NOW)
        key = load_key(member.key_file, "")
        assert identity.public_key == key.public_key
        assert identity.roles == member.roles
        assert identity.key_id.hex() == member.key_id


def test_private_files_are_readable_by_their_owner_only(consortium: Consortium) -> None:
    layout = ConsortiumLayout(consortium.directory)
    private = [f for org in ("manufacturer", "regulator") for f in _private(layout, org)]
    private += [m.key_file for m in consortium.members]
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    ca_key = json.loads(layout.org("manufacturer").ca_key.read_text())
    assert ca_key["kdf"]["opslimit"] == CHEAP_KDF.opslimit
    assert load_key(layout.org("manufacturer").ca_key, "").public_key.raw == (
        pki.load_certificate(layout.org("manufacturer").ca_cert).public_key().public_bytes_raw()  # type: ignore[union-attr]
    )


def _private(layout: ConsortiumLayout, org: str) -> list[Path]:
    return [layout.org(org).ca_key, layout.org(org).node_key]


def test_host_for_and_listen_host_shape_genesis_sans_and_configs(tmp_path: Path) -> None:
    made = _generate(
        tmp_path / "net",
        host_for=lambda org: f"node-{org}",
        listen_host="0.0.0.0",
        base_api_port=9000,
        base_peer_port=9500,
        chain_id="pharma-eu.1",
    )
    genesis = load_genesis(made.genesis)
    assert genesis.chain_id == "pharma-eu.1"
    first = genesis.nodes[0]
    assert (first.host, first.api_port, first.peer_port) == (
        "node-manufacturer",
        9000,
        9500,
    )
    config = load_config(made.nodes[1].config)
    assert (config.api.host, config.api.port) == ("0.0.0.0", 9001)
    cert = pki.load_certificate(ConsortiumLayout(made.directory).org("distributor").node_cert)
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["node-distributor"]


def test_a_busy_port_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        with pytest.raises(PortBusy, match=f"port {busy} .*API of the manufacturer node"):
            _generate(
                tmp_path / "net",
                check_ports=True,
                base_api_port=busy,
                base_peer_port=busy - 100 if busy > 1100 else busy + 100,
            )
    assert not (tmp_path / "net").exists()


def test_an_existing_consortium_is_not_overwritten(tmp_path: Path) -> None:
    first = _generate(tmp_path / "net")
    before = first.genesis.read_bytes()
    with pytest.raises(ConsortiumExists, match="--force"):
        _generate(tmp_path / "net")
    assert first.genesis.read_bytes() == before


def test_force_replaces_the_consortium(tmp_path: Path) -> None:
    first = _generate(tmp_path / "net")
    old_ca = (tmp_path / "net" / "manufacturer" / "ca.pem").read_bytes()
    (tmp_path / "net" / "manufacturer" / "data").mkdir()
    (tmp_path / "net" / "notes.txt").write_text("mine")
    _generate(tmp_path / "net", force=True)
    assert (tmp_path / "net" / "manufacturer" / "ca.pem").read_bytes() != old_ca
    assert not (tmp_path / "net" / "manufacturer" / "data").exists()
    assert (tmp_path / "net" / "notes.txt").read_text() == "mine"
    assert load_genesis(first.genesis).orgs[0].ca_cert_pem != old_ca.decode()


def test_force_leaves_folders_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "net" / "pharmacy").mkdir(parents=True)
    (tmp_path / "net" / "pharmacy" / "precious.txt").write_text("keep")
    with pytest.raises(ConsortiumExists, match="was not written by `rxl network init`"):
        _generate(tmp_path / "net", force=True)
    assert (tmp_path / "net" / "pharmacy" / "precious.txt").read_text() == "keep"


def test_a_folder_holding_only_a_gitignore_is_used(tmp_path: Path) -> None:
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / ".gitignore").write_text("*\n")
    assert _generate(tmp_path / "net").genesis.is_file()


@pytest.fixture
def process_naming(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """A process whose command line names the manufacturer's node config, like a node."""
    made = _generate(tmp_path / "net")
    config = made.nodes[0].config
    pause = "import signal; signal.pause()"
    with subprocess.Popen([sys.executable, "-c", pause, str(config)]) as child:
        write_pid(
            ConsortiumLayout(made.directory).org("manufacturer").pid, PidRecord(child.pid, config)
        )
        yield made.directory, child
        child.kill()


def test_force_refuses_while_a_node_runs(
    process_naming: tuple[Path, subprocess.Popen[bytes]],
) -> None:
    directory, _ = process_naming
    with pytest.raises(NodesRunning, match="rxl network down"):
        _generate(directory, force=True)
    assert (directory / "genesis.json").is_file()


def test_key_files_need_a_passphrase_unless_insecure_dev_keys(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--insecure-dev-keys"):
        _generate(tmp_path / "a", insecure_dev_keys=False)
    with pytest.raises(ValueError, match="at least 8 characters"):
        _generate(tmp_path / "b", insecure_dev_keys=False, passphrase="short")
    with pytest.raises(ValueError, match="not both"):
        _generate(tmp_path / "c", passphrase="long enough passphrase")
    assert not any(tmp_path.iterdir())


def test_a_passphrase_protects_keys_with_the_default_kdf(tmp_path: Path) -> None:
    solo = OrgSpec("solo", frozenset({Role.REGULATOR}))
    made = generate_consortium(
        tmp_path / "net", [solo], passphrase="correct horse battery", check_ports=False
    )
    key_file = made.members[0].key_file
    document = json.loads(key_file.read_text())
    assert (document["kdf"]["opslimit"], document["kdf"]["memlimit"]) == (
        DEFAULT_KDF.opslimit,
        DEFAULT_KDF.memlimit,
    )
    assert load_key(key_file, "correct horse battery").key_id.hex() == made.members[0].key_id
    assert made.insecure_dev_keys is False


@pytest.mark.parametrize("chain_id", ["A", "x", "-dash", "with space"])
def test_bad_chain_ids_are_refused(tmp_path: Path, chain_id: str) -> None:
    with pytest.raises(ValueError, match="chain id"):
        _generate(tmp_path / "net", chain_id=chain_id)
