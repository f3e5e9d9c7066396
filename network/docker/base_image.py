"""The local Debian base image, for hosts that reach no container registry.

``debootstrap`` builds a minimal Debian root file system with Python, which ``docker
import`` turns into an image: only Debian's package mirror is needed. The root file system
is kept as a tarball in a cache folder, so a host that lost its images (a fresh engine)
imports it again in seconds instead of bootstrapping anew (about 40 s here).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from network.docker.engine import Engine
from network.docker.errors import DockerNetworkError
from network.docker.shell import require

BASE_IMAGE = "rxledger/debian-base:bookworm"
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = ("python3", "python3-venv")
PRUNED = (
    "var/cache/apt/archives",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
)
"""Package caches and documentation: half of the root file system, never read by a node."""


def default_cache_dir() -> Path:
    configured = os.environ.get("RXL_DOCKER_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rxledger" / "docker"


class BaseImageSource(StrEnum):
    PRESENT = "present"
    """The engine already had the image."""
    CACHE = "cache"
    """Imported from the cached root file system tarball."""
    DEBOOTSTRAP = "debootstrap"
    """Bootstrapped from the Debian mirror, cached, and imported."""


@dataclass(frozen=True, slots=True)
class BaseImageSpec:
    image: str = BASE_IMAGE
    suite: str = SUITE
    mirror: str = MIRROR
    packages: tuple[str, ...] = PACKAGES

    @property
    def tarball_name(self) -> str:
        return f"debian-{self.suite}-{'-'.join(self.packages)}.tar"


def ensure_base_image(
    engine: Engine, cache_dir: Path | None = None, spec: BaseImageSpec = BaseImageSpec()
) -> BaseImageSource:
    """Make sure the engine has the base image; the cheapest way that works is taken."""
    if engine.image_exists(spec.image):
        return BaseImageSource.PRESENT
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    tarball = cache / spec.tarball_name
    source = BaseImageSource.CACHE
    if not tarball.is_file():
        bootstrap_tarball(engine, tarball, spec)
        source = BaseImageSource.DEBOOTSTRAP
    engine.docker("import", str(tarball), spec.image, timeout=600)
    return source


def bootstrap_tarball(engine: Engine, tarball: Path, spec: BaseImageSpec) -> None:
    """debootstrap a minimal root file system and pack it into ``tarball`` (atomically)."""
    require("debootstrap", "install it with `apt-get install -y debootstrap`")
    if os.geteuid() != 0:
        raise DockerNetworkError("debootstrap needs root: run this step as root (or with sudo)")
    tarball.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rootfs-", dir=tarball.parent) as work:
        rootfs = Path(work) / "rootfs"
        engine.shell.run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(spec.packages)}",
                spec.suite,
                str(rootfs),
                spec.mirror,
            ],
            timeout=1800,
        )
        prune(rootfs)
        partial = Path(work) / spec.tarball_name
        engine.shell.run(["tar", "-C", str(rootfs), "-cf", str(partial), "."], timeout=600)
        partial.replace(tarball)


def prune(rootfs: Path) -> None:
    """Empty the folders in :data:`PRUNED`, keeping the folders themselves."""
    for relative in PRUNED:
        folder = rootfs / relative
        if folder.is_dir():
            shutil.rmtree(folder)
            folder.mkdir()
