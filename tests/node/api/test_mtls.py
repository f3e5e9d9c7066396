"""mTLS: a verified client certificate identifies its enrolled key, like a signed request.

The first tests drive the app with the ASGI TLS extension set by hand; the last one runs a
real uvicorn server on 127.0.0.1 with client-certificate verification and the protocol class
``ClientCertHttpToolsProtocol``, end to end through OpenSSL.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from node.api.auth import ClientCertHttpToolsProtocol
from sdk.keys import SigningKey
from sdk.pki import (
    certificate_to_pem,
    create_org_ca,
    issue_member_certificate,
    issue_node_certificate,
)
from tests.node.api.conftest import BASE
from tests.node.api.fake import FakeLedger, make_signed_tx
from tests.node.api.helpers import error_of
from tests.node.api.members import MAH, PHARMACY, REVOKED, STRANGER, Member

PRODUCT = "/v1/state/trace/product/gtin:1"


class Pki:
    """An org CA, a server certificate for 127.0.0.1 and member certificates."""

    def __init__(self) -> None:
        now = datetime.now(UTC)
        self.not_before, self.not_after = now - timedelta(days=1), now + timedelta(days=30)
        self.ca_key = SigningKey.generate()
        self.ca = create_org_ca(
            "corner-pharmacy", self.ca_key, not_before=self.not_before, not_after=self.not_after
        )

    def member(self, member: Member) -> x509.Certificate:
        return issue_member_certificate(
            self.ca,
            self.ca_key,
            member.key.public_key,
            name=member.name,
            roles=member.roles,
            not_before=self.not_before,
            not_after=self.not_after,
        )

    def server(self, key: SigningKey) -> x509.Certificate:
        return issue_node_certificate(
            self.ca,
            self.ca_key,
            key.public_key,
            name="node-1",
            hosts=["127.0.0.1"],
            not_before=self.not_before,
            not_after=self.not_after,
        )


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


def with_client_cert(app: FastAPI, pem: str | None) -> Any:
    """The app behind a server that verified ``pem`` and says so in the ASGI TLS extension."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and pem is not None:
            scope = {**scope, "extensions": {"tls": {"client_cert_chain": [pem]}}}
        await app(scope, receive, send)

    return asgi


async def _product(ledger: FakeLedger) -> None:
    wire = make_signed_tx(MAH, "trace", "product/gtin:1", {"mah_org": "acme-pharma"})
    await ledger.submit([wire], wait=True, timeout_s=1)


async def _get(app: Any, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        return await c.get(path)


async def test_a_verified_client_certificate_identifies_its_key(
    app: FastAPI, ledger: FakeLedger, pki: Pki
) -> None:
    await _product(ledger)
    pem = certificate_to_pem(pki.member(PHARMACY)).decode()
    response = await _get(with_client_cert(app, pem), PRODUCT)
    assert response.status_code == 200
    # The pharmacy's certificate gets the pharmacy's view, not more.
    shipment = await _get(with_client_cert(app, pem), "/v1/state/trace/shipment/x")
    assert error_of(shipment)["code"] == "access.denied"


@pytest.mark.parametrize(
    ("member", "code"), [(STRANGER, "auth.unknown_key"), (REVOKED, "auth.revoked")]
)
async def test_certificates_of_keys_that_may_not_act_are_refused(
    app: FastAPI, pki: Pki, member: Member, code: str
) -> None:
    pem = certificate_to_pem(pki.member(member)).decode()
    assert error_of(await _get(with_client_cert(app, pem), PRODUCT))["code"] == code


async def test_an_unreadable_certificate_is_malformed(app: FastAPI) -> None:
    response = await _get(with_client_cert(app, "-----BEGIN CERTIFICATE-----\nAAAA\n"), PRODUCT)
    assert error_of(response)["code"] == "auth.malformed"


async def test_without_a_certificate_the_caller_is_anonymous(app: FastAPI) -> None:
    assert error_of(await _get(with_client_cert(app, None), PRODUCT))["code"] == "auth.required"


def _write_key(path: Path, key: SigningKey) -> Path:
    private = Ed25519PrivateKey.from_private_bytes(key.seed)
    path.write_bytes(private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return path


async def test_uvicorn_with_client_certificates_end_to_end(
    app: FastAPI, ledger: FakeLedger, pki: Pki, tmp_path: Path
) -> None:
    await _product(ledger)
    server_key = SigningKey.generate()
    (tmp_path / "server.crt").write_bytes(certificate_to_pem(pki.server(server_key)))
    (tmp_path / "ca.crt").write_bytes(certificate_to_pem(pki.ca))
    (tmp_path / "client.crt").write_bytes(certificate_to_pem(pki.member(PHARMACY)))
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        http=ClientCertHttpToolsProtocol,
        ssl_certfile=str(tmp_path / "server.crt"),
        ssl_keyfile=str(_write_key(tmp_path / "server.key", server_key)),
        ssl_ca_certs=str(tmp_path / "ca.crt"),
        ssl_cert_reqs=ssl.CERT_OPTIONAL,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            assert not serving.done(), "uvicorn stopped while starting"
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"https://127.0.0.1:{port}"

        with_cert = ssl.create_default_context(cafile=str(tmp_path / "ca.crt"))
        with_cert.load_cert_chain(
            str(tmp_path / "client.crt"), str(_write_key(tmp_path / "client.key", PHARMACY.key))
        )
        async with httpx.AsyncClient(base_url=base, verify=with_cert) as member:
            response = await member.get(PRODUCT)
        assert response.status_code == 200, response.text

        without = ssl.create_default_context(cafile=str(tmp_path / "ca.crt"))
        async with httpx.AsyncClient(base_url=base, verify=without) as public:
            refused = await public.get(PRODUCT)
            assert error_of(refused)["code"] == "auth.required"
            assert (await public.get("/health")).status_code == 200
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, timeout=10)
