"""`churn-console sandbox`: serve the Stripe-compatible sandbox until interrupted."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import signal
import sys
from typing import TYPE_CHECKING

from ..heap import collector_paused
from ..sandbox.versions import API_VERSION, OLDER_API_VERSION
from .index import HELP

if TYPE_CHECKING:
    from .documented import Commands


def add_parser(sub: Commands) -> None:
    sb = sub.add_parser(
        "sandbox",
        help=HELP["sandbox"],
        description="Serve a seeded, Stripe-compatible API on loopback. The first line printed is\n"
        "SANDBOX_URL=http://127.0.0.1:PORT SANDBOX_KEY=<restricted key with every permission the console needs>\n"
        "SANDBOX_ADMIN_KEY=<the key for /_sandbox/* only: log, faults, minting keys>.",
        epilog="example:\n  churn-console sandbox --customers 2000 --latency-ms 60 --rate-limit 100",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sb.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    sb.add_argument("--port", type=port_number, default=0, help="port, 0 for a free one (default 0)")
    sb.add_argument("--seed", type=int, default=7, help="demo data seed (default 7)")
    sb.add_argument("--customers", type=_non_negative, default=500, help="customers to generate (default 500)")
    sb.add_argument(
        "--invoice-history",
        type=_non_negative,
        default=2000,
        metavar="N",
        help="the first N customers get their invoices (default 2000: a large seed starts faster; a benchmark of "
        "invoice reads gives every customer theirs)",
    )
    sb.add_argument("--latency-ms", type=float, default=0.0, help="latency added to every request")
    sb.add_argument("--rate-limit", type=float, default=0.0, help="requests per second before 429s (0 = none)")
    sb.add_argument("--fault-rate", type=_fraction, default=0.0, help="fraction of requests answered with a 500")
    sb.add_argument("--throttle-rate", type=_fraction, default=0.0, help="fraction of requests answered with a random 429")
    sb.add_argument("--drop-rate", type=_fraction, default=0.0, help="fraction of connections dropped after the request ran")
    sb.add_argument("--live", action="store_true", help="behave like a live-mode account (rk_live_ keys)")
    sb.add_argument(
        "--event-api-version",
        choices=(API_VERSION, OLDER_API_VERSION),
        default=API_VERSION,
        help=f"render events as an account on this API version would receive them (default {API_VERSION})",
    )
    sb.set_defaults(run=run)


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def port_number(text: str) -> int:
    """A TCP port, 0 (any free one) to 65535; anything else is refused by argparse with this message (exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number: use 0-65535 (0: any free one)")
    return value


def _stop(*_args: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from ..sandbox.app import Sandbox
    from ..sandbox.faults import FaultConfig

    if not _is_loopback(args.host):
        print("churn-console: the sandbox only binds loopback addresses (127.0.0.0/8, ::1).", file=sys.stderr)
        return 2
    faults = FaultConfig(
        latency_ms=args.latency_ms,
        rate_limit=args.rate_limit,
        error_rate=args.fault_rate,
        throttle_rate=args.throttle_rate,
        drop_rate=args.drop_rate,
        seed=args.seed,
    )
    try:
        with collector_paused():  # a large seed's millions of short-lived dicts: a quarter of its time was GC
            sandbox = Sandbox(
                seed=args.seed,
                customers=args.customers,
                invoice_history=args.invoice_history,
                host=args.host,
                port=args.port,
                live=args.live,
                faults=faults,
                event_api_version=args.event_api_version,
            )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(
                f"churn-console: port {args.port} on {args.host} is in use; pick another with --port (0: any free one).",
                file=sys.stderr,
            )
        else:
            print(f"churn-console: cannot listen on {args.host} port {args.port}: {exc.strerror or exc}.", file=sys.stderr)
        return 2
    print(f"SANDBOX_URL={sandbox.url} SANDBOX_KEY={sandbox.key} SANDBOX_ADMIN_KEY={sandbox.admin_key}", flush=True)
    signal.signal(signal.SIGTERM, _stop)
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0
