"""Node config and genesis files: valid files load, every mistake gets a message with its place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from node.config import ConfigError, load_config
from node.genesis import Genesis, GenesisNode, GenesisOrg, load_genesis, save_genesis
from sdk.roles import Role

MINIMAL = """
node_id = 2
data_dir = "data/node2"
genesis = "genesis.json"

[api]
port = 7061

[peer]
port = 7062

[tls]
cert = "crypto/node2.crt"
key = "crypto/node2.key"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "node.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_gets_defaults_and_absolute_paths(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    assert config.node_id == 2
    assert config.api.host == "127.0.0.1"
    assert config.data_dir == (tmp_path / "data/node2").resolve()
    assert config.tls.key == (tmp_path / "crypto/node2.key").resolve()
    assert config.block.max_transactions > 0


def test_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="rxl network init"):
        load_config(tmp_path / "absent.toml")


def test_not_toml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a readable TOML"):
        load_config(write(tmp_path, "node_id = = 1"))


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (("port = 7061", "port = 70610"), "api.port"),
        (("node_id = 2", "node_id = 0"), "node_id"),
        (("[tls]", "[tls]\nunknown = 1"), "tls.unknown"),
        (('data_dir = "data/node2"\n', ""), "data_dir"),
    ],
)
def test_invalid_fields_name_their_place(
    tmp_path: Path, change: tuple[str, str], where: str
) -> None:
    with pytest.raises(ConfigError, match=where):
        load_config(write(tmp_path, MINIMAL.replace(*change)))


def genesis(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "chain_id": "rx-test",
        "created_ms": 1,
        "orgs": [{"id": "acme", "name": "Acme", "ca_cert_pem": "PEM", "roles": ["manufacturer"]}],
        "nodes": [
            {
                "id": 1,
                "org": "acme",
                "cert_pem": "PEM",
                "host": "127.0.0.1",
                "peer_port": 1,
                "api_port": 2,
            }
        ],
    }
    base.update(changes)
    return base


def test_genesis_round_trips_and_hashes_stably(tmp_path: Path) -> None:
    model = Genesis.model_validate(genesis())
    save_genesis(model, tmp_path / "g.json")
    again = load_genesis(tmp_path / "g.json")
    assert again == model
    assert again.hash() == model.hash()
    assert Genesis.model_validate(genesis(chain_id="rx-other")).hash() != model.hash()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"orgs": []}, "orgs"),
        (
            {
                "nodes": [
                    {
                        "id": 1,
                        "org": "nobody",
                        "cert_pem": "P",
                        "host": "h",
                        "peer_port": 1,
                        "api_port": 2,
                    }
                ]
            },
            "unknown organizations: nobody",
        ),
        (
            {
                "nodes": [
                    {
                        "id": 1,
                        "org": "acme",
                        "cert_pem": "P",
                        "host": "h",
                        "peer_port": 1,
                        "api_port": 2,
                        "voter": False,
                    }
                ]
            },
            "at least one node must be a voter",
        ),
        ({"chain_id": "Bad Chain"}, "chain_id"),
    ],
)
def test_inconsistent_genesis_is_refused(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    path = tmp_path / "g.json"
    path.write_text(json.dumps(genesis(**changes)))
    with pytest.raises(ConfigError, match=message):
        load_genesis(path)


def test_genesis_lookups() -> None:
    model = Genesis.model_validate(genesis())
    assert model.org("acme") == GenesisOrg(
        id="acme", name="Acme", ca_cert_pem="PEM", roles=[Role.MANUFACTURER]
    )
    assert model.org("nobody") is None
    assert isinstance(model.node(1), GenesisNode)
    assert model.node(9) is None
