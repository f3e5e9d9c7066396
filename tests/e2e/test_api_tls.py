"""TLS on the client API (issue 5, item 6): a node with ``[api_tls]`` serves HTTPS with a
certificate from its org CA, and a member's client certificate authenticates it (mTLS)."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)

from network.consortium import default_orgs, generate_consortium
from sdk.keyfile import load_key
from tests.e2e.harness import REPO_ROOT, free_base_port

START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class TlsNode:
    url: str
    ca: Path
    org_dir: Path


@pytest.fixture(scope="module")
def tls_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsNode]:
    orgs = default_orgs()
    base = free_base_port(len(orgs))
    made = generate_consortium(
        tmp_path_factory.mktemp("api-tls") / "net",
        orgs,
        insecure_dev_keys=True,
        base_api_port=base,
        base_peer_port=base + len(orgs),
    )
    org_dir = made.directory / "pharmacy"
    config = org_dir / "node.toml"
    config.write_text(config.read_text() + '\n[api_tls]\ncert = "node.crt"\nkey = "node.key"\n')
    port = next(
        int(line.split("=")[1]) for line in _section(config, "api") if line.startswith("port")
    )
    log = (org_dir / "node.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "node", "start", "--config", str(config)],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    node = TlsNode(f"https://127.0.0.1:{port}", org_dir / "ca.pem", org_dir)
    try:
        _wait_https(node, process)
        yield node
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _section(config: Path, name: str) -> list[str]:
    lines = config.read_text().splitlines()
    start = lines.index(f"[{name}]")
    out: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("["):
            break
        out.append(line.replace(" ", ""))
    return out


def _wait_https(node: TlsNode, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"node exited: {(node.org_dir / 'node.log').read_text()[-2000:]}")
        try:
            httpx.get(f"{node.url}/health", verify=_trust(node), timeout=2.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("the TLS node did not answer in time")


def _trust(node: TlsNode) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(node.ca))


def _client_cert(node: TlsNode, tmp: Path) -> tuple[str, str]:
    members = node.org_dir / "members"
    key = load_key(members / "pharmacist.key", "")
    pem = tmp / "pharmacist.pem"
    pem.write_bytes(
        Ed25519PrivateKey.from_private_bytes(key.seed).private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    return str(members / "pharmacist.crt"), str(pem)


@pytest.mark.e2e
def test_the_api_serves_https_with_the_org_ca(tls_node: TlsNode) -> None:
    response = httpx.get(f"{tls_node.url}/health", verify=_trust(tls_node), timeout=5.0)
    assert response.json()["node_id"] == 3
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{tls_node.url}/health", timeout=5.0)  # not in the system trust store
    plain = tls_node.url.replace("https://", "http://")
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{plain}/health", timeout=5.0)


@pytest.mark.e2e
def test_a_member_client_certificate_authenticates(tls_node: TlsNode, tmp_path: Path) -> None:
    path = f"{tls_node.url}/v1/state/msp/org/pharmacy"
    anonymous = httpx.get(path, verify=_trust(tls_node), timeout=5.0)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "auth.required"
    context = ssl.create_default_context(cafile=str(tls_node.ca))
    context.load_cert_chain(*_client_cert(tls_node, tmp_path))
    member = httpx.get(path, verify=context, timeout=5.0, params={"consistency": "stale"})
    assert member.status_code == 200, member.text
    assert member.json()["entry"]["value"]["org_id"] == "pharmacy"
