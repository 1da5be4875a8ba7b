"""``azimagebuilder emulator``: run the local Image Builder emulator until Ctrl-C or SIGTERM.

Example:
    $ azimagebuilder emulator --port 8443 --build-duration 5 --state emulator-state.json
    base_url: https://127.0.0.1:8443
    ca_cert: /tmp/azimagebuilder-emulator-k2j3/ca.pem
    subscription_id: 00000000-0000-0000-0000-000000000000
    azimagebuilder emulator ready
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Any

from ._common import number, port, seconds

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``emulator`` subcommand."""
    parser = subparsers.add_parser(
        "emulator",
        help="run the local Image Builder emulator (HTTPS on 127.0.0.1)",
        description=(
            "Serve a local, faithful emulator of Azure VM Image Builder (Microsoft.VirtualMachineImages) "
            "until Ctrl-C or SIGTERM. No VM is built; see docs/emulator.md."
        ),
    )
    parser.add_argument("--port", type=port, default=0, help="TCP port, 0 to 65535 (default: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    parser.add_argument(
        "--build-duration",
        type=seconds,
        default=3.0,
        metavar="SECONDS",
        help="seconds a simulated build takes (default: 3)",
    )
    parser.add_argument("--state", metavar="FILE", help="keep templates in FILE across restarts")
    parser.add_argument(
        "--scenario",
        help="server-wide build scenario: succeed, fail[:<Phase>], partial[:<runOutputName>], timeout, "
        "provision-fail[:<code>], linked-authorization-failed",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="ROUTE=KIND[@RATE][xTIMES][+after][+noretryafter]",
        help="inject faults, e.g. operations.get=500@0.1 or imageTemplates.run=429x1 (repeatable)",
    )
    parser.add_argument(
        "--seed", type=number(int, minimum=0), default=0, help="seed of the fault draws (default: 0)"
    )
    parser.add_argument(
        "--api-versions",
        metavar="V1,V2",
        help="serve only these Image Builder api-versions (default: every version the library knows), "
        "e.g. 2022-07-01,2024-02-01 to act like a subscription that refuses the retired previews",
    )
    parser.add_argument(
        "--page-size",
        type=number(int, minimum=1, maximum=1000),
        default=100,
        help="items per page of lists (default: 100)",
    )
    parser.add_argument(
        "--azurite",
        metavar="URL",
        help="keep run logs and VHDs in this running Azurite (or any blob) account, e.g. "
        "http://127.0.0.1:10000/devstoreaccount1, instead of serving them itself; its key from "
        "$AZURE_STORAGE_KEY (default: Azurite's well-known devstoreaccount1 key)",
    )
    parser.set_defaults(func=run)


def _azurite_store(url: str) -> Any:
    """The artifact store for ``--azurite URL``: the account's key from $AZURE_STORAGE_KEY or Azurite's."""
    from urllib.parse import urlsplit

    from ..resources._azurite_store import WELL_KNOWN_ACCOUNT, WELL_KNOWN_KEY, BlobArtifactStore

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"--azurite {url}: give the account's blob endpoint, e.g. http://127.0.0.1:10000/devstoreaccount1"
        )
    path_account = parts.path.strip("/").split("/", 1)[0]
    account = path_account or parts.netloc.split(".", 1)[0]
    key = os.environ.get("AZURE_STORAGE_KEY") or (WELL_KNOWN_KEY if account == WELL_KNOWN_ACCOUNT else None)
    if key is None:
        raise ValueError(f"--azurite {url}: set $AZURE_STORAGE_KEY to the key of account {account!r}")
    return BlobArtifactStore(url.rstrip("/"), {"account_name": account, "account_key": key}, vhd_size=None)


def run(args: argparse.Namespace) -> int:
    """Start the emulator, print where it is, serve until interrupted; returns the exit status."""
    from ..emulator import Emulator, StateFileError, parse_fault

    try:
        faults = [parse_fault(spec) for spec in args.fault]
        emulator = Emulator(
            port=args.port,
            host=args.host,
            build_duration=args.build_duration,
            state_file=args.state,
            scenario=args.scenario,
            faults=faults,
            seed=args.seed,
            api_versions=[v.strip() for v in args.api_versions.split(",") if v.strip()]
            if args.api_versions
            else None,
            page_size=args.page_size,
            artifacts=_azurite_store(args.azurite) if args.azurite else None,
        )
    except (ValueError, StateFileError) as exc:
        print(f"azimagebuilder emulator: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        try:
            emulator.start()
        except OSError as exc:
            where = f"{args.host}:{args.port}"
            print(f"azimagebuilder emulator: cannot listen on {where}: {exc}", file=sys.stderr)
            return 1
        print(f"base_url: {emulator.base_url}")
        print(f"ca_cert: {emulator.ca_cert}")
        print(f"subscription_id: {emulator.subscription_id}")
        if args.state:
            print(f"state: {args.state}")
        print("azimagebuilder emulator ready (Ctrl-C or SIGTERM stops it)", flush=True)
        try:
            while not stop.wait(0.2):
                pass
        except KeyboardInterrupt:
            pass
        print("azimagebuilder emulator stopping", flush=True)
    finally:
        emulator.stop()
        signal.signal(signal.SIGTERM, previous)
    return 0
