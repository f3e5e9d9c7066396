"""Encrypted key files (docs/formats.md §6), with cheap KDF parameters for speed."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from sdk import errors
from sdk.keyfile import (
    CHEAP_KDF,
    DEFAULT_KDF,
    KdfParams,
    decrypt_key,
    encrypt_key,
    load_key,
    read_public_key,
    save_key,
)
from sdk.keys import SigningKey

KEY = SigningKey.from_seed(bytes(range(32)))


@pytest.fixture(scope="module")
def text() -> str:
    return encrypt_key(KEY, "correct horse", kdf=CHEAP_KDF)


def test_round_trip(text: str) -> None:
    assert decrypt_key(text, "correct horse") == KEY
    assert read_public_key(text) == KEY.public_key


def test_file_carries_the_documented_fields(text: str) -> None:
    document = json.loads(text)
    assert document["format"] == "rxledger-key"
    assert document["version"] == 1
    assert document["key_id"] == KEY.key_id.hex()
    assert document["public_key"] == KEY.public_key.raw.hex()
    assert set(document["kdf"]) == {"name", "opslimit", "memlimit", "salt"}
    assert set(document["cipher"]) == {"name", "nonce", "ciphertext"}
    assert KEY.seed.hex() not in text
    assert base64.b64encode(KEY.seed).decode() not in text


def test_default_kdf_is_strong() -> None:
    assert DEFAULT_KDF.memlimit >= 64 * 1024 * 1024
    assert DEFAULT_KDF.opslimit >= 2
    with pytest.raises(ValueError, match="opslimit"):
        KdfParams(opslimit=0, memlimit=CHEAP_KDF.memlimit)


def test_wrong_passphrase_says_what_to_do(text: str) -> None:
    with pytest.raises(errors.WrongPassphrase, match="wrong passphrase") as caught:
        decrypt_key(text, "battery staple")
    assert caught.value.code == "keyfile.wrong_passphrase"


def _edit(text: str, path: tuple[str, ...], value: object) -> str:
    document = json.loads(text)
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return json.dumps(document)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("version",), 2),
        (("format",), "other"),
        (("key_id",), "00" * 32),
        (("public_key",), "zz"),
        (("algorithm",), "rsa"),
        (("kdf", "salt"), "not base64!"),
        (("kdf", "salt"), base64.b64encode(b"short").decode()),
        (("kdf", "memlimit"), 2**40),
        (("kdf", "opslimit"), "1"),
        (("kdf", "name"), "pbkdf2"),
        (("cipher", "nonce"), base64.b64encode(b"n" * 8).decode()),
        (("cipher", "ciphertext"), base64.b64encode(b"c" * 10).decode()),
    ],
)
def test_damaged_fields_are_reported_as_corrupt(
    text: str, path: tuple[str, ...], value: object
) -> None:
    with pytest.raises(errors.KeyFileCorrupt, match=r"restore|reads|rxledger"):
        decrypt_key(_edit(text, path, value), "correct horse")


@pytest.mark.parametrize("cut", [0, 1, 10, 100, -2])
def test_truncated_file_is_corrupt(text: str, cut: int) -> None:
    with pytest.raises(errors.KeyFileCorrupt):
        decrypt_key(text[:cut], "correct horse")


def test_garbage_and_wrong_shapes_are_corrupt() -> None:
    for garbage in ("", "[]", "null", '"x"', "{}", "\x00\xff", '{"format": 1}'):
        with pytest.raises(errors.KeyFileCorrupt):
            decrypt_key(garbage, "p")


def test_altered_ciphertext_or_bound_header_fails_authentication(text: str) -> None:
    document = json.loads(text)
    raw = bytearray(base64.b64decode(document["cipher"]["ciphertext"]))
    raw[0] ^= 1
    altered = _edit(text, ("cipher", "ciphertext"), base64.b64encode(bytes(raw)).decode())
    with pytest.raises(errors.WrongPassphrase, match="altered"):
        decrypt_key(altered, "correct horse")
    # The KDF parameters are associated data: weakening them breaks decryption.
    weakened = _edit(text, ("kdf", "memlimit"), CHEAP_KDF.memlimit * 2)
    with pytest.raises(errors.WrongPassphrase):
        decrypt_key(weakened, "correct horse")


def test_a_consistent_but_swapped_public_key_is_corrupt(text: str) -> None:
    other = SigningKey.from_seed(bytes(32))
    swapped = _edit(text, ("public_key",), other.public_key.raw.hex())
    swapped = _edit(swapped, ("key_id",), other.key_id.hex())
    # The public key is associated data, so this fails authentication first.
    with pytest.raises(errors.WrongPassphrase):
        decrypt_key(swapped, "correct horse")


def test_save_and_load(tmp_path: Path) -> None:
    path = tmp_path / "alice.key"
    save_key(path, KEY, "pw", kdf=CHEAP_KDF)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key(path, "pw") == KEY
    with pytest.raises(errors.KeyFileExists):
        save_key(path, SigningKey.generate(), "pw", kdf=CHEAP_KDF)
    other = SigningKey.generate()
    save_key(path, other, "pw2", kdf=CHEAP_KDF, overwrite=True)
    assert load_key(path, "pw2") == other
    assert list(tmp_path.iterdir()) == [path]
    with pytest.raises(errors.KeyFileCorrupt, match="no key file"):
        load_key(tmp_path / "missing.key", "pw")
