"""The compose YAML writer: what it writes reads back as the same data."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from network.docker import yamlout


@pytest.mark.parametrize(
    "document",
    [
        {"a": "1", "b": 2, "c": True, "d": False},
        {"ports": ["127.0.0.1:7100:7100", "22:22"], "empty": {}, "none": []},
        {"services": {"x": {"volumes": ["v:/data", "./a:/b:ro"], "env": {"K": "0x10"}}}},
        {"list_of_maps": [{"a": "1", "b": {"c": ["d"]}}, {"e": "yes"}, "plain"]},
        {"tricky": ["no", "on", "1e3", "12:30", "${RXL_IMAGE:-rxledger/node:dev}", "a: b", "#"]},
        {"unicode": "Öl – 药品", "quote": 'say "hi"\n'},
    ],
)
def test_round_trips_through_a_yaml_parser(document: dict[str, Any]) -> None:
    assert yaml.safe_load(yamlout.dump(document)) == document


def test_strings_that_look_like_other_types_stay_strings() -> None:
    text = yamlout.dump({"port": "22:22", "flag": "no"})

    assert text == 'port: "22:22"\nflag: "no"\n'


def test_refuses_keys_that_need_quoting() -> None:
    with pytest.raises(ValueError, match="not a plain name"):
        yamlout.dump({"a b": "c"})


def test_refuses_types_compose_has_no_use_for() -> None:
    with pytest.raises(TypeError, match="float"):
        yamlout.dump({"ratio": 0.5})  # type: ignore[dict-item]
