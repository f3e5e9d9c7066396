"""EPCIS 2.0 documents: building, offline validation against the bundled schema."""

from __future__ import annotations

import datetime
import socket
from typing import Any

import pytest

from sdk.epcis import (
    EPCIS_CONTEXT_URL,
    DocumentInvalidError,
    EpcisError,
    build_document,
    context_document,
    document_event_hashes,
    json_schema,
    validate_document,
)
from tests.sdk.epcis.test_event_hash import WORKED_EVENT, WORKED_HASH

CREATED = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def _document() -> dict[str, Any]:
    return build_document([WORKED_EVENT], creation_date=CREATED)


def test_bundled_artefacts_load() -> None:
    assert json_schema()["$schema"].startswith("http://json-schema.org/")
    assert "@context" in context_document()


def test_built_document_shape_and_validity() -> None:
    document = _document()
    assert document["@context"] == [EPCIS_CONTEXT_URL]
    assert document["creationDate"] == "2024-05-01T12:00:00.000Z"
    assert document["schemaVersion"] == "2.0"
    validate_document(document)
    assert document_event_hashes(document) == [WORKED_HASH]


def test_naive_creation_date_rejected() -> None:
    with pytest.raises(EpcisError, match="UTC offset"):
        build_document([], creation_date=datetime.datetime(2024, 1, 1))


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda d: d.pop("schemaVersion"), "'schemaVersion' is a required property"),
        (lambda d: d["epcisBody"]["eventList"][0].update(action="JUMP"), r"action: 'JUMP'"),
        (lambda d: d["epcisBody"]["eventList"][0].pop("eventTime"), "'eventTime' is a required"),
        (lambda d: d.update(type="Nope"), "at the document"),
    ],
)
def test_broken_documents_fail_with_clear_message(mutate: Any, reason: str) -> None:
    document = _document()
    mutate(document)
    with pytest.raises(DocumentInvalidError, match=reason) as info:
        validate_document(document)
    assert info.value.reason.startswith("at ")


def test_non_object_rejected() -> None:
    with pytest.raises(DocumentInvalidError, match="JSON object"):
        validate_document([1, 2])
    with pytest.raises(EpcisError, match="eventList"):
        document_event_hashes({"epcisBody": {}})
