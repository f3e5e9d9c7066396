"""The node image: non-root, `rxl` entry point, data volume, health check."""

from __future__ import annotations

import json

import pytest

from network.docker import Engine
from network.docker.compose import DEFAULT_IMAGE

pytestmark = pytest.mark.docker


def test_rxl_is_the_entry_point(engine: Engine) -> None:
    usage = engine.docker("run", "--rm", DEFAULT_IMAGE, "--help")

    assert "Usage: rxl" in usage
    assert "node" in usage


def test_runs_as_an_unprivileged_user(engine: Engine) -> None:
    ids = engine.docker("run", "--rm", "--entrypoint", "id", DEFAULT_IMAGE)

    assert ids.startswith("uid=10001(rxl) gid=10001(rxl)")


def test_declares_the_data_volume_and_a_health_check(engine: Engine) -> None:
    config = json.loads(
        engine.docker("image", "inspect", "--format", "{{json .Config}}", DEFAULT_IMAGE)
    )

    assert list(config["Volumes"]) == ["/var/lib/rxledger"]
    assert config["Healthcheck"]["Test"][0] == "CMD"
    assert "RXL_HEALTH_URL" in config["Healthcheck"]["Test"][-1]
    assert config["Entrypoint"] == ["rxl"]


def test_health_check_fails_without_a_node(engine: Engine) -> None:
    probe = json.loads(
        engine.docker(
            "image", "inspect", "--format", "{{json .Config.Healthcheck.Test}}", DEFAULT_IMAGE
        )
    )[1:]

    done = engine.shell.run(
        ["docker", "run", "--rm", "--entrypoint", probe[0], DEFAULT_IMAGE, *probe[1:]], check=False
    )

    assert done.returncode != 0
    assert "unhealthy" in done.stderr
