"""TypedDicts for the shape comparison's self-test. No ``from __future__ import annotations``
here: on Python 3.11 it hides NotRequired from TypedDict (the trap the helpers avoid too)."""

from typing import NotRequired, TypedDict


class Same(TypedDict):
    a: str
    b: NotRequired[int | None]


class Renamed(TypedDict):
    a: str
    c: NotRequired[int | None]


class Required(TypedDict):
    a: str
    b: int | None


class Retyped(TypedDict):
    a: str
    b: NotRequired[str | None]
