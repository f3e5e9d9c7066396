"""Fixtures for the docker tests: the engine, the node image, and one running network.

These tests need a docker engine and the node image (`python -m network.docker build`);
`.ci/docker-stage` provides both. The network is generated into ``RXL_DOCKER_NET_DIR`` (or a
temporary folder) and run as compose project ``RXL_DOCKER_PROJECT`` (default
``rxledger-test``) from the committed ``network/compose.yaml``; it is wiped afterwards, and
the nodes' logs are printed when a test failed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from network.docker import DockerNetwork, Engine, Shell, connect, init_material
from network.docker.compose import DEFAULT_IMAGE

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "network" / "compose.yaml"


@pytest.fixture(scope="session")
def engine() -> Engine:
    engine = connect(Shell())
    if not engine.image_exists(DEFAULT_IMAGE):
        pytest.fail(f"no image {DEFAULT_IMAGE}: run `python -m network.docker build` first")
    return engine


@pytest.fixture(scope="session")
def network(
    engine: Engine, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[DockerNetwork]:
    configured = os.environ.get("RXL_DOCKER_NET_DIR")
    directory = Path(configured) if configured else tmp_path_factory.mktemp("docker-net")
    init_material(directory, force=True)
    network = DockerNetwork(
        engine=engine,
        directory=directory,
        compose_file=COMPOSE_FILE,
        project=os.environ.get("RXL_DOCKER_PROJECT", "rxledger-test"),
    )
    network.wipe()
    failed_before = request.session.testsfailed
    try:
        network.up()
        network.wait_healthy(timeout_s=180)
        yield network
    finally:
        if request.session.testsfailed > failed_before or not _all_running(network):
            _show(request, network.logs(tail=300))
        network.wipe()


def _all_running(network: DockerNetwork) -> bool:
    return all(s.state == "running" for s in network.status())


def _show(request: pytest.FixtureRequest, text: str) -> None:
    """Print past pytest's capture: the nodes' logs belong in the CI log when a test failed."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n===== node logs =====\n{text}", flush=True)
