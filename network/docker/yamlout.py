"""A small YAML writer for compose files: block mappings and sequences, quoted strings.

Compose files are data we generate, so a writer for exactly what they contain (mappings,
lists, strings, integers, booleans) is simpler than another dependency. Strings are written
as JSON strings, which are valid YAML double-quoted scalars, so ``"127.0.0.1:7100:7100"``
can never be read as a number or a base-60 time. Keys are written plain and must be simple
names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
Yaml = Mapping[str, "Yaml"] | Sequence["Yaml"] | str | int | bool

INDENT = "  "


def dump(document: Mapping[str, Yaml]) -> str:
    """The document as block-style YAML, one trailing newline."""
    return "\n".join(_mapping(document, 0)) + "\n"


def _mapping(mapping: Mapping[str, Yaml], depth: int) -> list[str]:
    lines: list[str] = []
    pad = INDENT * depth
    for key, value in mapping.items():
        if not PLAIN_KEY.fullmatch(key):
            raise ValueError(f"compose key {key!r} is not a plain name")
        if _is_block(value):
            lines.append(f"{pad}{key}:")
            lines.extend(_block(value, depth + 1))
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")
    return lines


def _sequence(items: Sequence[Yaml], depth: int) -> list[str]:
    lines: list[str] = []
    pad = INDENT * depth
    for item in items:
        if _is_block(item):
            inner = _block(item, depth + 1)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
        else:
            lines.append(f"{pad}- {_scalar(item)}")
    return lines


def _block(value: Yaml, depth: int) -> list[str]:
    if isinstance(value, Mapping):
        return _mapping(value, depth)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return _sequence(value, depth)
    raise TypeError(f"not a block value: {value!r}")


def _is_block(value: Yaml) -> bool:
    """Non-empty mappings and lists go on their own lines; empty ones are written ``{}``/``[]``."""
    return isinstance(value, Mapping | list | tuple) and len(value) > 0


def _scalar(value: Yaml) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, Sequence):
        return "[]"
    raise TypeError(f"compose files hold no {type(value).__name__}: {value!r}")
