"""`chokepoint health`: probe the running service's /healthz on the port its configuration sets.

The container's HEALTHCHECK runs this, so the port is read from the same place the service
reads it (`server.port` in the file, or CHOKEPOINT_SERVER__PORT) instead of being guessed.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK, EXIT_PENDING, add_config, load

if TYPE_CHECKING:
    from bot.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser("health", help="exit 0 when the running service answers /healthz as healthy")
    add_config(p)
    p.add_argument("--timeout", type=float, default=4.0, help="seconds to wait for the answer (default 4)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    config = load(args)
    host = config.server.host
    if host in ("0.0.0.0", "::", ""):  # listening everywhere: ask on loopback
        host = "127.0.0.1"
    from bot.slack_app.server import HEALTH_PATH

    url = f"http://{host}:{config.server.port}{HEALTH_PATH}"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            body = response.read(64 * 1024)
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(64 * 1024), exc.code
    except (OSError, TimeoutError) as exc:
        print(f"chokepoint health: {url} did not answer: {getattr(exc, 'reason', exc)}", file=sys.stderr)
        return EXIT_PENDING
    try:
        detail = json.loads(body)
    except ValueError:
        detail = body.decode("utf-8", "replace")[:200]
    print(json.dumps({"url": url, "status": status, "health": detail}))
    return EXIT_OK if status == 200 else EXIT_PENDING
