"""Identity: key file + certificate, passphrases, and what the certificate says."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdk.client import Identity, IdentityError
from sdk.client.identity import PASSPHRASE_ENV
from sdk.keys import Domain, SigningKey
from sdk.roles import Role
from tests.sdk.client.files import member_files

KEY = SigningKey.from_seed(bytes([5] * 32))


def test_load_reads_the_key_and_what_its_certificate_grants(tmp_path: Path) -> None:
    key_file, cert_file = member_files(
        tmp_path, KEY, "acme", Role.MANUFACTURER, Role.QA, passphrase="s3cret-pass"
    )
    identity = Identity.load(key_file, cert_file, passphrase="s3cret-pass")
    assert identity.key_id == KEY.key_id.hex()
    assert identity.org_id == "acme"
    assert identity.roles == {Role.MANUFACTURER, Role.QA}
    tx = identity.sign_transaction("rx-test", "trace", "dispense", {"code": "x"})
    tx.verify(KEY.public_key)
    KEY.public_key.verify(Domain.REQUEST, b"m", identity.sign(Domain.REQUEST, b"m"))
    assert "seed" not in repr(identity)


def test_the_passphrase_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file, _ = member_files(tmp_path, KEY, "acme", Role.QA, passphrase="from-env-123")
    monkeypatch.setenv(PASSPHRASE_ENV, "from-env-123")
    assert Identity.load(key_file).key_id == KEY.key_id.hex()
    monkeypatch.setenv(PASSPHRASE_ENV, "wrong")
    with pytest.raises(IdentityError, match=PASSPHRASE_ENV):
        Identity.load(key_file)


def test_without_a_certificate_there_is_no_org(tmp_path: Path) -> None:
    key_file, _ = member_files(tmp_path, KEY, "acme", Role.QA)  # empty passphrase: dev keys
    identity = Identity.load(key_file)
    assert identity.org_id is None
    assert identity.roles == frozenset()


def test_a_certificate_of_another_key_is_refused(tmp_path: Path) -> None:
    key_file, _ = member_files(tmp_path, KEY, "acme", Role.QA)
    other = tmp_path / "other"
    other.mkdir()
    _, foreign_cert = member_files(other, SigningKey.from_seed(bytes([6] * 32)), "acme", Role.QA)
    with pytest.raises(IdentityError, match="not for this key"):
        Identity.load(key_file, foreign_cert)


def test_missing_files_say_which(tmp_path: Path) -> None:
    with pytest.raises(IdentityError, match=r"nope\.key"):
        Identity.load(tmp_path / "nope.key")
    key_file, _ = member_files(tmp_path, KEY, "acme", Role.QA)
    with pytest.raises(IdentityError, match=r"nope\.pem"):
        Identity.load(key_file, tmp_path / "nope.pem")
