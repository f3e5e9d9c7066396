"""``python -m network.docker``."""

from network.docker.commands import app

app(prog_name="python -m network.docker")
