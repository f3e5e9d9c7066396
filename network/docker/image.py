"""Building the node image from the repository's Dockerfile and the host's wheelhouse."""

from __future__ import annotations

from pathlib import Path

from network.docker.base_image import BASE_IMAGE
from network.docker.compose import DEFAULT_IMAGE
from network.docker.engine import Engine
from network.docker.errors import DockerNetworkError

WHEELHOUSE = Path("dist") / "wheelhouse"
"""Relative to the project root: the only part of the build context (.dockerignore)."""


def build_node_image(
    engine: Engine, project: Path, *, tag: str = DEFAULT_IMAGE, base_image: str = BASE_IMAGE
) -> None:
    """``docker build`` the node image, then check that ``rxl`` runs in it."""
    if not any((project / WHEELHOUSE).glob("rxledger-*.whl")):
        raise DockerNetworkError(
            f"no rxledger wheel in {project / WHEELHOUSE}; build the wheelhouse first "
            "(`python -m network.docker build` does both)"
        )
    engine.docker(
        "build",
        "--build-arg",
        f"BASE_IMAGE={base_image}",
        "--tag",
        tag,
        "--file",
        str(project / "Dockerfile"),
        str(project),
        timeout=1200,
    )
    usage = engine.docker("run", "--rm", tag, "--help", timeout=120)
    if "Usage: rxl" not in usage:
        raise DockerNetworkError(f"the image {tag} does not run `rxl --help`:\n{usage}")
