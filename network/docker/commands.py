"""``python -m network.docker``: build, start, watch and stop the docker test network.

Meant to be mounted as ``rxl network docker`` as well. Every docker command it runs is
echoed as ``+ …``. Exit codes: 0 ok, 1 the network or a build step failed, 2 bad usage.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from network.docker import compose
from network.docker.base_image import ensure_base_image
from network.docker.compose import DEFAULT_IMAGE, NodeSlot
from network.docker.engine import Engine, connect
from network.docker.errors import DockerNetworkError
from network.docker.image import WHEELHOUSE, build_node_image, image_pins
from network.docker.material import init_material
from network.docker.network import DEFAULT_PROJECT, DockerNetwork
from network.docker.shell import Shell
from network.docker.wheelhouse import build_wheelhouse

app = typer.Typer(
    help="The 4-organization docker test network (docs/operations.md).",
    no_args_is_help=True,
    add_completion=False,
)

Directory = Annotated[
    Path, typer.Option("--dir", help="Folder of the generated consortium material.")
]
ComposeFile = Annotated[
    Path | None,
    typer.Option("--compose", help="Compose file (default: compose.yaml in --dir)."),
]
Project = Annotated[str, typer.Option("--project", help="Compose project name.")]
Image = Annotated[str, typer.Option("--image", help="Node image tag.")]
DEFAULT_DIR = Path("network") / "docker-net"


def _engine() -> Engine:
    return connect(Shell())


def _network(
    directory: Path,
    compose_file: Path | None,
    project: str,
    image: str,
    engine: Engine | None = None,
) -> DockerNetwork:
    return DockerNetwork(
        engine=engine or _engine(),
        directory=directory,
        compose_file=compose_file or directory / "compose.yaml",
        project=project,
        image=image,
    )


def _init(engine: Engine, directory: Path, image: str, *, force: bool) -> list[NodeSlot]:
    if not engine.image_exists(image):
        raise DockerNetworkError(f"no image {image}; run `python -m network.docker build`")
    return init_material(directory, contracts=image_pins(engine, image), force=force)


def _step(message: str) -> None:
    typer.secho(f"==> {message}", bold=True, err=True)


def _fail(exc: DockerNetworkError) -> typer.Exit:
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    return typer.Exit(1)


@app.command("base-image")
def base_image(
    cache: Annotated[
        Path | None, typer.Option(help="Cache folder for the root file system tarball.")
    ] = None,
) -> None:
    """Make the local Debian base image (debootstrap + docker import), unless present."""
    try:
        source = ensure_base_image(_engine(), cache)
    except DockerNetworkError as exc:
        raise _fail(exc) from exc
    _step(f"base image: {source.value}")


@app.command()
def build(
    project: Annotated[Path, typer.Option(help="The rxledger checkout.")] = Path(),
    image: Image = DEFAULT_IMAGE,
    cache: Annotated[Path | None, typer.Option(help="Base image cache folder.")] = None,
) -> None:
    """Base image (if missing), wheelhouse from this venv, then the node image."""
    try:
        engine = _engine()
        _step("base image")
        _step(f"base image: {ensure_base_image(engine, cache).value}")
        _step("wheelhouse")
        wheels = build_wheelhouse(
            engine.shell, project.resolve(), project / WHEELHOUSE, python=Path(sys.executable)
        )
        _step(f"wheelhouse: {len(wheels)} wheels")
        _step(f"node image {image}")
        build_node_image(engine, project.resolve(), tag=image)
    except DockerNetworkError as exc:
        raise _fail(exc) from exc


@app.command()
def init(
    directory: Directory = DEFAULT_DIR,
    image: Image = DEFAULT_IMAGE,
    force: Annotated[bool, typer.Option(help="Replace an existing consortium there.")] = False,
) -> None:
    """Generate the consortium (4 organizations, insecure dev keys, the contracts of --image
    pinned) and its compose file into --dir."""
    try:
        slots = _init(_engine(), directory, image, force=force)
    except DockerNetworkError as exc:
        raise _fail(exc) from exc
    for slot in slots:
        typer.echo(f"{slot.service}: node {slot.node_id}, API {slot.api_url}")


@app.command("compose-file")
def compose_file_command(
    out: Annotated[Path, typer.Option(help="Where to write it.")] = Path("network")
    / "compose.yaml",
) -> None:
    """Regenerate network/compose.yaml from a fresh default consortium (keys discarded)."""
    try:
        with tempfile.TemporaryDirectory(prefix="rxl-consortium-") as work:
            slots = init_material(Path(work) / "net")
        out.write_text(compose.render(slots, material=compose.SHARED_MATERIAL), encoding="utf-8")
    except DockerNetworkError as exc:
        raise _fail(exc) from exc
    _step(f"wrote {out}")


@app.command()
def up(
    directory: Directory = DEFAULT_DIR,
    compose_file: ComposeFile = None,
    project: Project = DEFAULT_PROJECT,
    image: Image = DEFAULT_IMAGE,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a leader.")] = 120.0,
) -> None:
    """Start the network (generating it first if --dir is empty) and wait until healthy."""
    try:
        engine = _engine()
        if not engine.image_exists(image):
            raise DockerNetworkError(f"no image {image}; run `python -m network.docker build`")
        if not (directory / "genesis.json").exists():
            _step(f"consortium into {directory}")
            _init(engine, directory, image, force=False)
        network = _network(directory, compose_file, project, image, engine)
        _step("compose up")
        network.up()
        _step("waiting for a leader and healthy nodes")
        leader = network.wait_healthy(timeout)
    except DockerNetworkError as exc:
        raise _fail(exc) from exc
    typer.echo(f"leader: {network.service_of(leader)} (node {leader})")
    for slot in network.slots:
        typer.echo(f"{slot.service}: {slot.api_url}  (API docs {slot.api_url}/docs)")


@app.command()
def status(
    directory: Directory = DEFAULT_DIR,
    compose_file: ComposeFile = None,
    project: Project = DEFAULT_PROJECT,
) -> None:
    """Each node's container state and docker health."""
    try:
        network = _network(directory, compose_file, project, DEFAULT_IMAGE)
        for entry in network.status():
            slot = network.slot(entry.service)
            typer.echo(f"{entry.service}: {entry.state}, {entry.health}, API {slot.api_url}")
    except DockerNetworkError as exc:
        raise _fail(exc) from exc


@app.command()
def logs(
    services: Annotated[list[str] | None, typer.Argument(help="Services (default: all).")] = None,
    directory: Directory = DEFAULT_DIR,
    compose_file: ComposeFile = None,
    project: Project = DEFAULT_PROJECT,
    tail: Annotated[int, typer.Option(help="Lines per service.")] = 200,
) -> None:
    """The nodes' logs."""
    try:
        network = _network(directory, compose_file, project, DEFAULT_IMAGE)
        typer.echo(network.logs(*(services or []), tail=tail))
    except DockerNetworkError as exc:
        raise _fail(exc) from exc


@app.command()
def down(
    directory: Directory = DEFAULT_DIR,
    compose_file: ComposeFile = None,
    project: Project = DEFAULT_PROJECT,
) -> None:
    """Stop and remove the containers; the nodes' data volumes stay."""
    try:
        _network(directory, compose_file, project, DEFAULT_IMAGE).down()
    except DockerNetworkError as exc:
        raise _fail(exc) from exc


@app.command()
def wipe(
    directory: Directory = DEFAULT_DIR,
    compose_file: ComposeFile = None,
    project: Project = DEFAULT_PROJECT,
    material: Annotated[
        bool, typer.Option(help="Also delete the generated consortium (keys, genesis).")
    ] = False,
) -> None:
    """Remove containers, networks and data volumes (and, with --material, the consortium)."""
    try:
        _network(directory, compose_file, project, DEFAULT_IMAGE).wipe()
    except DockerNetworkError as exc:
        raise _fail(exc) from exc
    if material:
        shutil.rmtree(directory, ignore_errors=True)
        _step(f"removed {directory}")
