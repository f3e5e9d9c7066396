"""EPCIS 2.0 / CBV 2.0 helpers: event hash ids, documents, offline schema validation.

Bundled data (no network at run time): `data/EPCIS-JSON-Schema.json` and
`data/epcis-context.jsonld`, copied from the official gs1/EPCIS artefacts.
"""

from __future__ import annotations

from sdk.epcis.document import (
    EPCIS_CONTEXT_URL,
    build_document,
    context_document,
    document_event_hashes,
    document_events,
    document_namespaces,
    json_schema,
    validate_document,
)
from sdk.epcis.errors import DocumentInvalidError, EpcisError, EventHashError
from sdk.epcis.event_hash import HASH_VERSION, event_hash, event_prehash, hash_prehash
from sdk.epcis.vocabulary import canonical_identifier, expand_vocabulary

__all__ = [
    "EPCIS_CONTEXT_URL",
    "HASH_VERSION",
    "DocumentInvalidError",
    "EpcisError",
    "EventHashError",
    "build_document",
    "canonical_identifier",
    "context_document",
    "document_event_hashes",
    "document_events",
    "document_namespaces",
    "event_hash",
    "event_prehash",
    "expand_vocabulary",
    "hash_prehash",
    "json_schema",
    "validate_document",
]
