"""Ledger values as the API carries them in JSON, and a strict reader of API answers.

Bytes inside ledger values travel as ``{"$bytes": "<base64>"}`` (docs/api.md, Conventions)
so they cannot be mistaken for strings; :func:`from_json` turns them back into ``bytes``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import TypeAlias

from sdk.client.errors import ProtocolError

LedgerValue: TypeAlias = (
    bool | int | str | bytes | list["LedgerValue"] | dict[str, "LedgerValue"] | None
)
"""What state, results and event payloads hold (no floats on the ledger)."""

BYTES_TAG = "$bytes"


def from_json(value: object) -> LedgerValue:
    """A ledger value from its JSON form: tagged bytes become ``bytes``."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list):
        return [from_json(item) for item in value]
    if isinstance(value, dict):
        if set(value) == {BYTES_TAG}:
            return _bytes(value[BYTES_TAG])
        return {str(key): from_json(item) for key, item in value.items()}
    raise ProtocolError(f"a ledger value cannot be a {type(value).__name__} (floats are refused)")


def _bytes(text: object) -> bytes:
    if not isinstance(text, str):
        raise ProtocolError(f"{BYTES_TAG} must hold a base64 string")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError(f"{BYTES_TAG} holds invalid base64") from exc


class Fields:
    """Typed access to one JSON object of an answer; anything off raises ProtocolError."""

    def __init__(self, document: object, what: str) -> None:
        if not isinstance(document, Mapping):
            raise ProtocolError(f"{what}: expected a JSON object")
        self._doc = document
        self._what = what

    def _get(self, name: str) -> object:
        if name not in self._doc:
            raise ProtocolError(f"{self._what}: missing field {name!r}")
        return self._doc[name]

    def _fail(self, name: str, kind: str) -> ProtocolError:
        return ProtocolError(f"{self._what}: field {name!r} must be {kind}")

    def text(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str):
            raise self._fail(name, "a string")
        return value

    def opt_text(self, name: str) -> str | None:
        value = self._doc.get(name)
        if value is not None and not isinstance(value, str):
            raise self._fail(name, "a string or null")
        return value

    def integer(self, name: str) -> int:
        value = self._get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._fail(name, "an integer")
        return value

    def opt_integer(self, name: str) -> int | None:
        value = self._doc.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._fail(name, "an integer or null")
        return value

    def flag(self, name: str) -> bool:
        value = self._get(name)
        if not isinstance(value, bool):
            raise self._fail(name, "a boolean")
        return value

    def opt_flag(self, name: str) -> bool | None:
        value = self._doc.get(name)
        if value is not None and not isinstance(value, bool):
            raise self._fail(name, "a boolean or null")
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        value = self._get(name)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._fail(name, "a list of strings")
        return tuple(value)

    def items(self, name: str) -> list[object]:
        value = self._get(name)
        if not isinstance(value, list):
            raise self._fail(name, "a list")
        return value

    def value(self, name: str) -> LedgerValue:
        return from_json(self._get(name))

    def opt_value(self, name: str) -> LedgerValue:
        return from_json(self._doc.get(name))

    def mapping(self, name: str) -> dict[str, LedgerValue]:
        value = from_json(self._get(name))
        if not isinstance(value, dict):
            raise self._fail(name, "an object")
        return value

    def raw(self, name: str) -> object:
        return self._get(name)

    def fields(self, name: str) -> Fields:
        return Fields(self._get(name), f"{self._what}.{name}")
