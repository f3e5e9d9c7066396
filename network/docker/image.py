"""Building the node image from the repository's Dockerfile and the host's wheelhouse."""

from __future__ import annotations

import json
from pathlib import Path

from network.consortium import PinnedContract
from network.docker.base_image import BASE_IMAGE
from network.docker.compose import DEFAULT_IMAGE
from network.docker.engine import Engine
from network.docker.errors import DockerNetworkError

WHEELHOUSE = Path("dist") / "wheelhouse"
"""Relative to the project root: the only part of the build context (.dockerignore)."""
STAGE_LABEL = "org.rxledger.stage=install"
"""Marks the Dockerfile's throw-away install stage, pruned after each build."""
IMAGE_LABEL = "org.rxledger.image=node"
"""Marks node images: an untagged one (replaced by a newer build) is pruned too."""


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
    engine.docker("image", "prune", "--force", "--filter", f"label={STAGE_LABEL}")
    engine.docker("image", "prune", "--force", "--filter", f"label={IMAGE_LABEL}")
    usage = engine.docker("run", "--rm", tag, "--help", timeout=120)
    if "Usage: rxl" not in usage:
        raise DockerNetworkError(f"the image {tag} does not run `rxl --help`:\n{usage}")


PINS_SCRIPT = """
import json
from chaincode.registry import code_hash, discover
print(json.dumps([[c.name, c.version, code_hash(c)] for c in discover().values()]))
"""
"""Runs inside the image: the contracts it has installed, as ``[name, version, hash]``."""


def image_pins(engine: Engine, image: str = DEFAULT_IMAGE) -> list[PinnedContract]:
    """The contracts the node image runs, for the genesis to pin.

    Asked of the image itself, so the pins match the code the nodes execute (and this
    package needs no import of ``chaincode``).
    """
    out = engine.docker("run", "--rm", "--entrypoint", "python3", image, "-c", PINS_SCRIPT)
    try:
        rows = json.loads(out)
        return [PinnedContract(str(n), str(v), str(h)) for n, v, h in rows]
    except (ValueError, TypeError) as exc:
        raise DockerNetworkError(f"{image} listed its contracts unreadably: {out[:300]}") from exc
