"""A stand-in for `rxl node start`: serves /health like a node (docs/api.md) from its config.

FAKE_NODE_MODE selects the behaviour: ``leader`` (default: healthy, the lowest node id of the
genesis leads), ``no_leader`` (503 node.no_leader forever), ``crash`` (exits at once with an
error on stderr), ``ignore_term`` (like ``leader`` but ignores SIGTERM).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def main() -> None:
    config_path = Path(sys.argv[sys.argv.index("--config") + 1])
    mode = os.environ.get("FAKE_NODE_MODE", "leader")
    if mode == "crash":
        sys.stderr.write("fake node: cannot open the ledger (simulated)\n")
        sys.exit(2)
    if mode == "ignore_term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    genesis = json.loads((config_path.parent / config["genesis"]).read_text(encoding="utf-8"))
    leader = None if mode == "no_leader" else min(n["id"] for n in genesis["nodes"])
    node_id = config["node_id"]
    body = {
        "healthy": leader is not None,
        "node_id": node_id,
        "chain_id": genesis["chain_id"],
        "role": "leader" if leader == node_id else "follower",
        "leader_id": leader,
        "term": 1,
        "height": 0,
        "applied_index": 1,
        "commit_index": 1,
        "fork_alarm": None,
        "peers": [],
        "certificate_warnings": [],
        "error": None
        if leader is not None
        else {"code": "node.no_leader", "message": "no leader is known right now"},
    }

    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = json.dumps(body).encode()
            self.send_response(200 if leader is not None else 503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((config["api"]["host"], config["api"]["port"]), Health)
    print(f"fake node {node_id} serving", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
