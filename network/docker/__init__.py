"""The docker test network: base image, wheelhouse, node image, compose file, lifecycle.

Typical use (``python -m network.docker`` does the same from the command line)::

    engine = connect(Shell())
    ensure_base_image(engine)
    build_wheelhouse(engine.shell, root, root / "dist/wheelhouse", python=Path(sys.executable))
    build_node_image(engine, root)
    init_material(root / "network/docker-net")
    network = DockerNetwork(engine, root / "network/docker-net", root / "network/compose.yaml")
    network.up()
    leader = network.wait_healthy()
"""

from network.docker.base_image import BaseImageSource, ensure_base_image
from network.docker.compose import NodeSlot, compose_document, render, slots_from_genesis
from network.docker.engine import Engine, connect
from network.docker.errors import (
    CommandFailed,
    DockerNetworkError,
    EngineUnavailable,
    MaterialMissing,
    NetworkNotHealthy,
    ToolMissing,
)
from network.docker.image import build_node_image, image_pins
from network.docker.material import init_material
from network.docker.network import DockerNetwork, ServiceStatus
from network.docker.shell import Shell
from network.docker.wheelhouse import build_wheelhouse

__all__ = [
    "BaseImageSource",
    "CommandFailed",
    "DockerNetwork",
    "DockerNetworkError",
    "Engine",
    "EngineUnavailable",
    "MaterialMissing",
    "NetworkNotHealthy",
    "NodeSlot",
    "ServiceStatus",
    "Shell",
    "ToolMissing",
    "build_node_image",
    "build_wheelhouse",
    "compose_document",
    "connect",
    "ensure_base_image",
    "image_pins",
    "init_material",
    "render",
    "slots_from_genesis",
]
