"""What every networked `rxl` command shares: profiles, the client, output and exit codes.

A profile names a network and an identity: the node URLs, the member's key file and its
certificate. Profiles live in ``~/.config/rxl/config.toml`` (``$RXL_CONFIG_DIR`` moves the
directory)::

    default = "acme"

    [profiles.acme]
    nodes = ["http://127.0.0.1:8080", "http://127.0.0.1:8081"]
    key = "/home/me/net/acme/members/qa.key"
    cert = "/home/me/net/acme/members/qa.crt"

Which profile: ``--profile``, else ``$RXL_PROFILE``, else the file's ``default``. The
environment overrides single fields of it: ``$RXL_NODES`` (comma-separated URLs),
``$RXL_KEY``, ``$RXL_CERT``, ``$RXL_CA``; the key's passphrase comes from
``$RXL_KEY_PASSPHRASE`` (empty for a demo network's ``--insecure-dev-keys``). With no
profile at all, ``$RXL_NODES`` (and ``$RXL_KEY``/``$RXL_CERT``) are enough.

Exit codes, decided in one place (:func:`run_command`): 0 ok, 1 rejected by the ledger (its
error code is printed), 2 bad input or usage, 3 cannot reach a node.

A command module uses it like this::

    @app.command("query")
    def query(..., profile: ProfileOption = None, json_output: JsonOption = False) -> None:
        with run_command(json_output=json_output):
            with client_for(profile) as client:
                emit_json(client.query(...))
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import os
import sys
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final, NoReturn

import click
import tomli_w
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from sdk.client import (
    AccessDenied,
    ApiError,
    AuthenticationFailed,
    BadRequest,
    Client,
    ClientError,
    CommitTimeout,
    Identity,
    IdentityError,
    NodeUnavailable,
    NotFound,
    ProofInvalid,
    Rejected,
)
from sdk.errors import SdkError

# -- exit codes and environment ---------------------------------------------------------------

EXIT_OK: Final = 0
EXIT_REJECTED: Final = 1
"""The ledger (or a node, on the ledger's rules) refused: the stable error code is printed."""
EXIT_USAGE: Final = 2
"""Bad input or usage: a missing profile or key file, malformed arguments (as click's)."""
EXIT_UNREACHABLE: Final = 3
"""No node answered usefully (down, no leader, overloaded) or the commit was not confirmed."""

CONFIG_DIR_ENV: Final = "RXL_CONFIG_DIR"
PROFILE_ENV: Final = "RXL_PROFILE"
NODES_ENV: Final = "RXL_NODES"
KEY_ENV: Final = "RXL_KEY"
CERT_ENV: Final = "RXL_CERT"
CA_ENV: Final = "RXL_CA"
PASSPHRASE_ENV: Final = "RXL_KEY_PASSPHRASE"
CONFIG_FILE: Final = "config.toml"


class CliError(Exception):
    """Bad input or usage (exit 2); ``message`` says what to do next."""

    code: str = "cli.usage"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ProfileError(CliError):
    """A profile is missing, unknown or incomplete, or the config file is unreadable."""

    code = "cli.profile"


# -- shared options ----------------------------------------------------------------------------

ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        help=f"Profile of ~/.config/rxl/config.toml to use (default: ${PROFILE_ENV}, "
        "else the file's default).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")
]


# -- profiles ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Profile:
    """A network (node URLs) and an identity (key file, certificate, optional CA bundle)."""

    name: str
    nodes: tuple[str, ...]
    key: Path | None = None
    cert: Path | None = None
    ca: Path | None = None

    def to_toml(self) -> dict[str, Any]:
        table: dict[str, Any] = {"nodes": list(self.nodes)}
        for field in ("key", "cert", "ca"):
            value = getattr(self, field)
            if value is not None:
                table[field] = str(value)
        return table


@dataclass(frozen=True, slots=True)
class Config:
    """The config file: named profiles and the default one."""

    profiles: Mapping[str, Profile]
    default: str | None = None


def config_dir() -> Path:
    """``$RXL_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/rxl``, else ``~/.config/rxl``."""
    explicit = os.environ.get(CONFIG_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "rxl"


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def load_config(path: Path | None = None) -> Config:
    """The profiles of the config file (none when the file does not exist)."""
    path = path or config_path()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config({})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ProfileError(f"cannot read {path}: {error}; fix or remove the file") from error
    tables = document.get("profiles", {})
    default = document.get("default")
    if not isinstance(tables, dict) or (default is not None and not isinstance(default, str)):
        raise ProfileError(f'{path}: expected `default = "name"` and [profiles.NAME] tables')
    profiles = {name: _profile(path, name, table) for name, table in tables.items()}
    return Config(profiles, default)


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write the config file (created with its directory, readable by its owner only)."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    document: dict[str, Any] = {}
    if config.default is not None:
        document["default"] = config.default
    document["profiles"] = {name: p.to_toml() for name, p in sorted(config.profiles.items())}
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(tomli_w.dumps(document))
    os.replace(temporary, path)
    return path


def _profile(path: Path, name: str, table: object) -> Profile:
    if not isinstance(table, dict):
        raise ProfileError(f"{path}: [profiles.{name}] must be a table")
    nodes = table.get("nodes", [])
    if isinstance(nodes, str):
        nodes = [nodes]
    if not isinstance(nodes, list) or not all(isinstance(url, str) for url in nodes):
        raise ProfileError(f"{path}: profiles.{name}.nodes must be a list of URLs")

    def file(field: str) -> Path | None:
        value = table.get(field)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ProfileError(f"{path}: profiles.{name}.{field} must be a file path")
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else path.parent / candidate

    return Profile(name, tuple(nodes), file("key"), file("cert"), file("ca"))


def resolve_profile(name: str | None = None) -> Profile:
    """The profile a command runs with: chosen by name, then overridden by the environment.

    Raises :class:`ProfileError` (exit 2) saying how to create one when there is none.
    """
    config = load_config()
    chosen = name or os.environ.get(PROFILE_ENV) or config.default
    env_nodes = _env_nodes()
    if chosen is not None:
        base = config.profiles.get(chosen)
        if base is None:
            known = ", ".join(sorted(config.profiles)) or "none yet"
            raise ProfileError(
                f"no profile {chosen!r} in {config_path()} (profiles: {known}); create it "
                f"with `rxl profile add {chosen} --node URL --key FILE --cert FILE`"
            )
    elif env_nodes:
        base = Profile("env", ())
    else:
        raise ProfileError(
            f"no profile chosen and no default in {config_path()}: create one with "
            "`rxl profile add NAME --node URL --key FILE --cert FILE`, or set "
            f"${NODES_ENV} (and ${KEY_ENV}, ${CERT_ENV})"
        )
    profile = dataclasses.replace(
        base,
        nodes=env_nodes or base.nodes,
        key=_env_path(KEY_ENV) or base.key,
        cert=_env_path(CERT_ENV) or base.cert,
        ca=_env_path(CA_ENV) or base.ca,
    )
    if not profile.nodes:
        raise ProfileError(
            f"profile {profile.name!r} has no node URLs: add them with `rxl profile add "
            f"{profile.name} --node URL ...` or set ${NODES_ENV}"
        )
    return profile


def _env_nodes() -> tuple[str, ...]:
    raw = os.environ.get(NODES_ENV, "")
    return tuple(url.strip() for url in raw.split(",") if url.strip())


def _env_path(variable: str) -> Path | None:
    raw = os.environ.get(variable)
    return Path(raw).expanduser() if raw else None


def load_identity(profile: Profile) -> Identity:
    """The profile's key and certificate; ProfileError when either is missing."""
    if profile.key is None:
        raise ProfileError(
            f'profile {profile.name!r} has no key file: add `key = "PATH"` to it (or '
            f"`rxl profile add {profile.name} --key FILE ...`) or set ${KEY_ENV}"
        )
    for what, path in (("key file", profile.key), ("certificate", profile.cert)):
        if path is not None and not path.is_file():
            raise ProfileError(
                f"profile {profile.name!r}: {what} {path} does not exist; fix the path "
                f"in {config_path()} or create it (`rxl keys new`)"
            )
    return Identity.load(profile.key, profile.cert)


def client_for(
    profile: str | Profile | None = None,
    *,
    identity: bool = True,
    timeout: float | None = None,
    commit_timeout: float | None = None,
) -> Client:
    """A :class:`sdk.client.Client` for the profile (use it as a context manager).

    ``identity=False`` connects without a key (public reads: ``verify_code``, ``health``).
    """
    chosen = profile if isinstance(profile, Profile) else resolve_profile(profile)
    options: dict[str, Any] = {}
    if timeout is not None:
        options["timeout"] = timeout
    if commit_timeout is not None:
        options["commit_timeout"] = commit_timeout
    if chosen.ca is not None:
        options["ca"] = chosen.ca
    who = load_identity(chosen) if identity else None
    return Client(list(chosen.nodes), identity=who, **options)


# -- input -------------------------------------------------------------------------------------


def read_json_argument(text: str, *, option: str = "--args") -> Any:
    """JSON given inline, as ``@FILE``, or ``-`` for standard input."""
    source = "standard input"
    try:
        if text == "-":
            text = sys.stdin.read()
        elif text.startswith("@"):
            source = text[1:]
            text = Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"{option}: cannot read {source}: {error}") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CliError(
            f"{option} is not valid JSON ({error.msg} at line {error.lineno} column "
            f'{error.colno}); quote it for the shell, e.g. --args \'{{"code": "..."}}\''
        ) from error


def parse_time_ms(text: str, *, option: str = "time") -> int:
    """Milliseconds since the Unix epoch from ISO 8601 (a date means its 00:00 UTC) or ms."""
    stripped = text.strip()
    if stripped.isdigit():
        return int(stripped)
    try:
        moment = datetime.datetime.fromisoformat(stripped.replace("Z", "+00:00"))
    except ValueError as error:
        raise CliError(
            f"{option} {text!r} is not a time: use ISO 8601 (2025-12-01 or "
            "2025-12-01T08:00:00+01:00) or milliseconds since the epoch"
        ) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return int(moment.timestamp() * 1000)


def format_time_ms(ms: int) -> str:
    """ISO 8601 UTC with milliseconds, as the ledger's block times are shown."""
    moment = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- output ------------------------------------------------------------------------------------


def console() -> Console:
    """Standard output (a fresh console follows redirection, e.g. in tests)."""
    return Console(soft_wrap=True)


def err_console() -> Console:
    return Console(stderr=True, soft_wrap=True)


def to_jsonable(value: Any) -> Any:
    """JSON-ready: dataclasses to objects, bytes to hex, tuples to lists, enums to values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [to_jsonable(item) for item in items]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def emit_json(value: Any) -> None:
    """Print one JSON document on standard output (keys sorted, non-ASCII kept)."""
    typer.echo(json.dumps(to_jsonable(value), sort_keys=True, ensure_ascii=False, indent=2))


def print_table(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str | None = None
) -> None:
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(cell_text(cell) for cell in row))
    console().print(table)


def print_fields(fields: Mapping[str, Any], *, title: str | None = None) -> None:
    """Name/value pairs as a two-column table."""
    table = Table(title=title, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name, value in fields.items():
        table.add_row(name, cell_text(value))
    console().print(table)


def cell_text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    plain = to_jsonable(value)
    return plain if isinstance(plain, str) else json.dumps(plain, ensure_ascii=False)


def success(message: str) -> None:
    console().print(f"[green]✓[/green] {escape(message)}", highlight=False)


def warn(message: str) -> None:
    err_console().print(f"[yellow]warning:[/yellow] {escape(message)}", highlight=False)


def progress(*, transient: bool = True) -> Progress:
    """A progress bar on standard error for long work (imports, exports, bulk commission)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console(),
        transient=transient,
    )


# -- errors → exit codes ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Failure:
    """How an exception ends a command: exit code, stable code, message for humans."""

    exit_code: int
    code: str
    message: str


def classify(error: BaseException) -> Failure | None:
    """The one mapping of errors to exit codes; None for errors that are bugs."""
    match error:
        case CliError():
            return Failure(EXIT_USAGE, error.code, error.message)
        case IdentityError():
            return Failure(EXIT_USAGE, error.code, error.message)
        case NodeUnavailable() | CommitTimeout():
            return Failure(EXIT_UNREACHABLE, error.code, error.message)
        case Rejected() | ProofInvalid() | AuthenticationFailed() | AccessDenied() | NotFound():
            return Failure(EXIT_REJECTED, error.code, error.message)
        case BadRequest():
            return Failure(EXIT_USAGE, error.code, error.message)
        case ApiError() | ClientError():
            # ServerError, ProtocolError: no usable answer from the node.
            return Failure(EXIT_UNREACHABLE, error.code, error.message)
        case SdkError():
            return Failure(EXIT_USAGE, error.code, error.message)
        case _:
            return None


def fail(failure: Failure, *, json_output: bool = False) -> NoReturn:
    """Report ``failure`` (stderr; also stdout as JSON with ``--json``) and exit."""
    label = "rejected" if failure.exit_code == EXIT_REJECTED else "error"
    err_console().print(
        f"[red]{label}:[/red] [bold]{escape(failure.code)}[/bold]: {escape(failure.message)}",
        highlight=False,
    )
    if json_output:
        emit_json({"error": {"code": failure.code, "message": failure.message}})
    raise typer.Exit(failure.exit_code)


@contextmanager
def run_command(*, json_output: bool = False) -> Iterator[None]:
    """Run a command's body: known errors print their code and exit 1, 2 or 3.

    ``typer.Exit``/``click`` exceptions pass through unchanged; anything unknown is a bug and
    propagates with its traceback.
    """
    try:
        yield
    except (typer.Exit, click.exceptions.ClickException, click.exceptions.Abort):
        raise
    except Exception as error:
        failure = classify(error)
        if failure is None:
            raise
        fail(failure, json_output=json_output)


def usage_error(message: str) -> NoReturn:
    """Stop with exit 2 and ``message`` (for checks inside a command body)."""
    raise CliError(message)
