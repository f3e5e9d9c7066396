"""EPCIS 2.0 JSON-LD documents: build, validate offline, hash every event.

EPCIS 2.0 §9 (JSON/JSON-LD binding): a document is `{"@context": [...], "type":
"EPCISDocument", "schemaVersion": "2.0", "creationDate": ..., "epcisBody": {"eventList":
[...]}}`. The official JSON Schema and JSON-LD context ship as package data
(`sdk/epcis/data/`), so validation never touches the network: the schema's `$ref`s are all
internal, and its `$id` is registered to the bundled copy.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from referencing import Registry, Resource

from sdk.epcis.errors import DocumentInvalidError, EpcisError
from sdk.epcis.event_hash import event_hash

__all__ = [
    "EPCIS_CONTEXT_URL",
    "build_document",
    "context_document",
    "document_event_hashes",
    "document_events",
    "document_namespaces",
    "json_schema",
    "validate_document",
]

EPCIS_CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def _load_data(name: str) -> dict[str, Any]:
    text = resources.files("sdk.epcis").joinpath("data", name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def json_schema() -> dict[str, Any]:
    """The bundled official EPCIS 2.0 JSON Schema."""
    return _load_data("EPCIS-JSON-Schema.json")


@cache
def context_document() -> dict[str, Any]:
    """The bundled official EPCIS 2.0 JSON-LD context (what EPCIS_CONTEXT_URL resolves to)."""
    return _load_data("epcis-context.jsonld")


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json_schema()
    resource = Resource.from_contents(schema)
    registry: Registry[Any] = Registry().with_resource(schema["$id"], resource)
    validator_class = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = validator_class(schema, registry=registry)
    return validator


def build_document(
    events: Iterable[Mapping[str, Any]],
    *,
    creation_date: datetime.datetime,
    extra_context: Iterable[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """An EPCIS 2.0 document around `events` (creation_date must be timezone-aware)."""
    if creation_date.tzinfo is None:
        raise EpcisError("creation_date must carry a UTC offset")
    context: list[Any] = [EPCIS_CONTEXT_URL, *(dict(c) for c in extra_context)]
    return {
        "@context": context,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": creation_date.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "epcisBody": {"eventList": [dict(event) for event in events]},
    }


def _location(path: Iterable[Any]) -> str:
    parts = [str(p) for p in path]
    return "/" + "/".join(parts) if parts else "the document"


def validate_document(document: Any) -> None:
    """Raise `DocumentInvalidError` (naming the first problem and where) unless valid."""
    if not isinstance(document, dict):
        raise DocumentInvalidError("an EPCIS document must be a JSON object")
    best = jsonschema.exceptions.best_match(_validator().iter_errors(document))
    if best is None:
        return
    # For anyOf/oneOf failures the useful message is inside the branch that came closest.
    while best.context:
        deeper = jsonschema.exceptions.best_match(best.context)
        if deeper is None:
            break
        best = deeper
    message = best.message if len(best.message) <= 200 else best.message[:197] + "..."
    raise DocumentInvalidError(f"at {_location(best.absolute_path)}: {message}")


def document_events(document: Any) -> list[dict[str, Any]]:
    """The events of a document in document order (shape checked, schema not applied)."""
    if not isinstance(document, dict):
        raise EpcisError("an EPCIS document must be a JSON object")
    body = document.get("epcisBody")
    events = body.get("eventList") if isinstance(body, dict) else None
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise EpcisError("document has no epcisBody.eventList of event objects")
    return events


def document_namespaces(document: Mapping[str, Any]) -> dict[str, str]:
    """Extension prefixes bound by inline objects in the document's `@context`."""
    context = document.get("@context", [])
    entries = context if isinstance(context, list) else [context]
    namespaces: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, dict):
            namespaces.update({k: v for k, v in entry.items() if isinstance(v, str)})
    return namespaces


def document_event_hashes(document: Any) -> list[str]:
    """CBV 2.0 hash of every event, in document order."""
    events = document_events(document)
    namespaces = document_namespaces(document)
    return [event_hash(event, namespaces) for event in events]
