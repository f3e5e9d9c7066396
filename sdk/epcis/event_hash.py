"""CBV 2.0 event hash: `ni:///sha-256;{hex}?ver=CBV2.0` (CBV 2.0 §8.9, RFC 6920).

The pre-hash string concatenates, with no separators, `eventType=…` and then the fields
present in this canonical order: eventTime, eventTimeZoneOffset, certificationInfo,
parentID, epcList, inputEPCList, childEPCs, quantityList, childQuantityList,
inputQuantityList, outputEPCList, outputQuantityList, action, transformationID, bizStep,
disposition, persistentDisposition, readPoint, bizLocation, bizTransactionList, sourceList,
destinationList, sensorElementList, ilmd, then any extension fields.

- A scalar is written `name=value`; a container writes its name once, then its children
  (`epcListepc=…epc=…`, `readPointid=…`, `quantityListquantityElementepcClass=…quantity=…`).
- The items of every list are rendered and then sorted (code-point order), so the order in
  which a sender listed EPCs or transactions does not change the hash.
- Values are canonicalized by `sdk.epcis.vocabulary` (CBV Web URIs, Digital Links, UTC
  milliseconds, plain numbers).
- `recordTime`, `eventID` and `errorDeclaration` are not hashed: they are assigned or
  added after the fact and do not change what happened. JSON-LD keys (`@context`, `type`)
  are structural.
- Extension fields (`prefix:name`) are written `{namespace}name` when the prefix is bound in
  the `@context`, else as written; their children are rendered generically and sorted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from sdk.epcis.errors import EventHashError
from sdk.epcis.vocabulary import (
    canonical_identifier,
    canonical_number,
    canonical_time,
    expand_vocabulary,
)

__all__ = ["HASH_VERSION", "event_hash", "event_prehash", "hash_prehash"]

HASH_VERSION = "CBV2.0"
_EXCLUDED = frozenset({"@context", "type", "recordTime", "eventID", "errorDeclaration"})
_METADATA_ORDER = (
    *("time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData"),
    *("dataProcessingMethod", "bizRules"),
)
_REPORT_ORDER = (
    *("type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod"),
    *("time", "microorganism", "chemicalSubstance", "value", "component", "stringValue"),
    *("booleanValue", "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue"),
    *("sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem"),
)

Json = Any
Namespaces = Mapping[str, str]


def _scalar(value: Json, name: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return canonical_number(value)
    if not isinstance(value, str):
        raise EventHashError(f"{name} must be a string or number, got {type(value).__name__}")
    text = value.strip()
    lowered = name.lower()
    if lowered.endswith("time") and "offset" not in lowered:
        return canonical_time(text)
    return canonical_identifier(text)


def _pair(name: str, value: Json, kind: str | None = None) -> str:
    text = _scalar(value, name)
    if kind is not None:
        text = expand_vocabulary(kind, text)
    return f"{name}={text}"


def _as_list(value: Json, name: str) -> list[Json]:
    if isinstance(value, list):
        return value
    raise EventHashError(f"{name} must be a list")


def _as_dict(value: Json, name: str) -> dict[str, Json]:
    if isinstance(value, dict):
        return value
    raise EventHashError(f"{name} must be an object")


def _ordered(item: dict[str, Json], order: tuple[str, ...] | list[str], ns: Namespaces) -> str:
    """Known keys in `order`, then the remaining (extension) keys generically."""
    parts = [_pair(key, item[key]) for key in order if key in item]
    rest = {key: value for key, value in item.items() if key not in order}
    return "".join(parts) + _generic(rest, ns)


def _expand_key(key: str, ns: Namespaces) -> str:
    prefix, separator, local = key.partition(":")
    if separator and prefix in ns:
        return "{" + ns[prefix] + "}" + local
    return key


def _generic(fields: Mapping[str, Json], ns: Namespaces) -> str:
    """Extension content: every child rendered, siblings sorted."""
    rendered: list[str] = []
    for key, value in fields.items():
        if key.startswith("@"):
            continue
        name = _expand_key(key, ns)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                rendered.append(name + _generic(item, ns))
            else:
                rendered.append(f"{name}={_scalar(item, key)}")
    return "".join(sorted(rendered))


def _sorted_join(items: list[str]) -> str:
    return "".join(sorted(items))


def _epc_list(name: str, value: Json, ns: Namespaces) -> str:
    return name + _sorted_join([_pair("epc", epc) for epc in _as_list(value, name)])


def _quantity_list(name: str, value: Json, ns: Namespaces) -> str:
    items = [
        "quantityElement" + _ordered(_as_dict(q, name), ("epcClass", "quantity", "uom"), ns)
        for q in _as_list(value, name)
    ]
    return name + _sorted_join(items)


def _typed_list(name: str, member: str, kind: str) -> Callable[[str, Json, Namespaces], str]:
    def render(field: str, value: Json, ns: Namespaces) -> str:
        items: list[str] = []
        for raw in _as_list(value, field):
            entry = _as_dict(raw, field)
            head = _pair("type", entry["type"], kind) if "type" in entry else ""
            body = _pair(member, entry[member]) if member in entry else ""
            rest = {k: v for k, v in entry.items() if k not in ("type", member)}
            items.append(head + body + _generic(rest, ns))
        return field + _sorted_join(items)

    return render


def _location(name: str, value: Json, ns: Namespaces) -> str:
    return name + _ordered(_as_dict(value, name), ("id",), ns)


def _persistent_disposition(name: str, value: Json, ns: Namespaces) -> str:
    entry = _as_dict(value, name)
    parts = [name]
    for key in ("set", "unset"):
        parts.append(_sorted_join([_pair(key, v, key) for v in _as_list(entry.get(key, []), key)]))
    return "".join(parts)


def _sensor_report(report: dict[str, Json], ns: Namespaces) -> str:
    parts = []
    for key in _REPORT_ORDER:
        if key in report:
            parts.append(_pair(key, report[key], "sensorType" if key == "type" else None))
    rest = {k: v for k, v in report.items() if k not in _REPORT_ORDER}
    return "sensorReport" + "".join(parts) + _generic(rest, ns)


def _sensor_element_list(name: str, value: Json, ns: Namespaces) -> str:
    elements: list[str] = []
    for raw in _as_list(value, name):
        element = _as_dict(raw, "sensorElement")
        text = "sensorElement"
        if "sensorMetadata" in element:
            metadata = _as_dict(element["sensorMetadata"], "sensorMetadata")
            text += "sensorMetadata" + _ordered(metadata, _METADATA_ORDER, ns)
        reports = _as_list(element.get("sensorReport", []), "sensorReport")
        text += _sorted_join([_sensor_report(_as_dict(r, "sensorReport"), ns) for r in reports])
        rest = {k: v for k, v in element.items() if k not in ("sensorMetadata", "sensorReport")}
        elements.append(text + _generic(rest, ns))
    return name + _sorted_join(elements)


def _ilmd(name: str, value: Json, ns: Namespaces) -> str:
    return name + _generic(_as_dict(value, name), ns)


def _certification(name: str, value: Json, ns: Namespaces) -> str:
    values = value if isinstance(value, list) else [value]
    return _sorted_join([_pair(name, v) for v in values])


def _simple(kind: str | None) -> Callable[[str, Json, Namespaces], str]:
    return lambda name, value, ns: _pair(name, value, kind)


_RENDERERS: dict[str, Callable[[str, Json, Namespaces], str]] = {
    "eventTime": _simple(None),
    "eventTimeZoneOffset": _simple(None),
    "certificationInfo": _certification,
    "parentID": _simple(None),
    "epcList": _epc_list,
    "inputEPCList": _epc_list,
    "childEPCs": _epc_list,
    "quantityList": _quantity_list,
    "childQuantityList": _quantity_list,
    "inputQuantityList": _quantity_list,
    "outputEPCList": _epc_list,
    "outputQuantityList": _quantity_list,
    "action": _simple(None),
    "transformationID": _simple(None),
    "bizStep": _simple("bizStep"),
    "disposition": _simple("disposition"),
    "persistentDisposition": _persistent_disposition,
    "readPoint": _location,
    "bizLocation": _location,
    "bizTransactionList": _typed_list("bizTransactionList", "bizTransaction", "bizTransactionType"),
    "sourceList": _typed_list("sourceList", "source", "sourceDestType"),
    "destinationList": _typed_list("destinationList", "destination", "sourceDestType"),
    "sensorElementList": _sensor_element_list,
    "ilmd": _ilmd,
}


def event_prehash(event: Mapping[str, Json], namespaces: Namespaces | None = None) -> str:
    """The canonical pre-hash string of one EPCIS 2.0 JSON event.

    `namespaces` maps extension prefixes to namespace URIs (from the document's `@context`).
    """
    ns = namespaces or {}
    event_type = event.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise EventHashError("event has no 'type'")
    if "eventTime" not in event:
        raise EventHashError(f"{event_type} has no eventTime")
    parts = [f"eventType={event_type}"]
    parts += [render(name, event[name], ns) for name, render in _RENDERERS.items() if name in event]
    extensions = {k: v for k, v in event.items() if k not in _RENDERERS and k not in _EXCLUDED}
    return "".join(parts) + _generic(extensions, ns)


def hash_prehash(prehash: str) -> str:
    """RFC 6920 named-information URI of SHA-256 over the UTF-8 pre-hash string."""
    digest = hashlib.sha256(prehash.encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver={HASH_VERSION}"


def event_hash(event: Mapping[str, Json], namespaces: Namespaces | None = None) -> str:
    """`ni:///sha-256;{hex}?ver=CBV2.0` for one EPCIS 2.0 JSON event."""
    return hash_prehash(event_prehash(event, namespaces))
