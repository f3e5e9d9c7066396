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
from sdk.epcis.export import (
    SkippedRecord,
    TraceExport,
    export_document,
    export_events,
    trace_event,
)
from sdk.epcis.importer import TraceInvocation, import_document
from sdk.epcis.records import (
    RecordedEvent,
    TraceRecord,
    history_transactions,
    records_from_api,
)
from sdk.epcis.trace_errors import EventRefusal, ExportError, ImportRefusedError
from sdk.epcis.vocabulary import canonical_identifier, expand_vocabulary

__all__ = [
    "EPCIS_CONTEXT_URL",
    "HASH_VERSION",
    "DocumentInvalidError",
    "EpcisError",
    "EventHashError",
    "EventRefusal",
    "ExportError",
    "ImportRefusedError",
    "RecordedEvent",
    "SkippedRecord",
    "TraceExport",
    "TraceInvocation",
    "TraceRecord",
    "build_document",
    "canonical_identifier",
    "context_document",
    "document_event_hashes",
    "document_events",
    "document_namespaces",
    "event_hash",
    "event_prehash",
    "expand_vocabulary",
    "export_document",
    "export_events",
    "hash_prehash",
    "history_transactions",
    "import_document",
    "json_schema",
    "records_from_api",
    "trace_event",
    "validate_document",
]
