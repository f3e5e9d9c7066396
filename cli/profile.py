"""`rxl profile`: named connections (node URLs + identity) in ~/.config/rxl/config.toml.

`add` writes a profile from explicit options or from a local network folder (`--network D
--org ORG --member NAME` finds the node URLs and the member's key and certificate there).

Exit codes: 0 ok, 2 bad input (unknown profile, missing files, an unreadable config).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from cli.context import (
    CliError,
    Config,
    JsonOption,
    Profile,
    ProfileError,
    config_path,
    emit_json,
    load_config,
    print_fields,
    print_table,
    resolve_profile,
    run_command,
    save_config,
    success,
)
from network import local
from network.errors import NetworkError

app = typer.Typer(help="Named profiles: which nodes to talk to, as whom.", no_args_is_help=True)


def _from_network(directory: Path, org: str | None, member: str) -> Profile:
    try:
        nodes = local.load_nodes(directory)
    except (OSError, NetworkError, ValueError) as error:
        raise CliError(
            f"{directory} is not a network folder (rxl network init): {error}"
        ) from error
    urls = tuple(node.api_url for node in nodes)
    if org is None:
        return Profile("", urls)
    members = directory / org / "members"
    key, cert = members / f"{member}.key", members / f"{member}.crt"
    if not key.is_file():
        known = sorted(p.stem for p in members.glob("*.key")) if members.is_dir() else []
        raise CliError(
            f"no member {member!r} in org {org!r} of {directory} (members: "
            f"{', '.join(known) or 'none'}); pick one with --member"
        )
    return Profile("", urls, key.resolve(), cert.resolve() if cert.is_file() else None)


@app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="Profile name, e.g. acme-qa.")],
    node: Annotated[
        list[str] | None, typer.Option("--node", help="A node API URL (repeat for several).")
    ] = None,
    key: Annotated[Path | None, typer.Option(help="The member's key file.")] = None,
    cert: Annotated[Path | None, typer.Option(help="The member's certificate (PEM).")] = None,
    ca: Annotated[Path | None, typer.Option(help="PEM bundle of the org CAs (TLS).")] = None,
    network: Annotated[
        Path | None, typer.Option(help="A local network folder: take its node URLs.")
    ] = None,
    org: Annotated[
        str | None, typer.Option(help="With --network: the org whose member signs.")
    ] = None,
    member: Annotated[str, typer.Option(help="With --network and --org: the member.")] = "admin",
    default: Annotated[bool, typer.Option("--default", help="Make it the default.")] = False,
) -> None:
    """Create or replace a profile (the first one becomes the default)."""
    with run_command():
        base = _from_network(network, org, member) if network else Profile("", ())
        nodes = tuple(node) if node else base.nodes
        if not nodes:
            raise CliError("give at least one --node URL (or --network DIR)")
        profile = dataclasses.replace(
            base,
            name=name,
            nodes=nodes,
            key=key.resolve() if key else base.key,
            cert=cert.resolve() if cert else base.cert,
            ca=ca.resolve() if ca else base.ca,
        )
        for what, path in (("key file", profile.key), ("certificate", profile.cert)):
            if path is not None and not path.is_file():
                raise CliError(f"{what} {path} does not exist")
        config = load_config()
        chosen = name if default or config.default is None else config.default
        path = save_config(Config({**config.profiles, name: profile}, chosen))
        success(f"profile {name} saved in {path}" + (" (default)" if chosen == name else ""))


@app.command("list")
def list_command(json_output: JsonOption = False) -> None:
    """List the profiles; * marks the default."""
    with run_command(json_output=json_output):
        config = load_config()
        profiles = sorted(config.profiles.values(), key=lambda p: p.name)
        if json_output:
            emit_json(
                [
                    {"default": p.name == config.default, **p.to_toml(), "name": p.name}
                    for p in profiles
                ]
            )
            return
        if not profiles:
            typer.echo(f"no profiles in {config_path()}; add one with `rxl profile add`")
            return
        print_table(
            ["", "name", "nodes", "key"],
            [
                ["*" if p.name == config.default else "", p.name, ", ".join(p.nodes), p.key]
                for p in profiles
            ],
        )


@app.command("use")
def use_command(
    name: Annotated[str, typer.Argument(help="The profile to make the default.")],
) -> None:
    """Make a profile the default."""
    with run_command():
        config = load_config()
        if name not in config.profiles:
            raise ProfileError(
                f"no profile {name!r} (profiles: {', '.join(sorted(config.profiles)) or 'none'})"
            )
        save_config(Config(config.profiles, name))
        success(f"default profile: {name}")


@app.command("show")
def show_command(
    name: Annotated[str | None, typer.Argument(help="Profile (default: the active one).")] = None,
    json_output: JsonOption = False,
) -> None:
    """Show the profile a command would use, environment overrides included."""
    with run_command(json_output=json_output):
        profile = resolve_profile(name)
        fields = {
            "name": profile.name,
            "nodes": list(profile.nodes),
            "key": profile.key,
            "cert": profile.cert,
            "ca": profile.ca,
        }
        if json_output:
            emit_json(fields)
        else:
            print_fields(fields, title=f"profile {profile.name}")


@app.command("remove")
def remove_command(name: Annotated[str, typer.Argument(help="The profile to delete.")]) -> None:
    """Delete a profile."""
    with run_command():
        config = load_config()
        if name not in config.profiles:
            raise ProfileError(f"no profile {name!r}")
        remaining = {k: v for k, v in config.profiles.items() if k != name}
        save_config(Config(remaining, None if config.default == name else config.default))
        success(f"profile {name} removed")
