"""``azimagebuilder emulator``: run the local Image Builder emulator until Ctrl-C or SIGTERM, or for as
long as one command runs (``azimagebuilder emulator -- COMMAND [ARG...]``).

With a command, the emulator starts, the command runs with :data:`BASE_URL_ENV`, :data:`CA_CERT_ENV` and
:data:`SUBSCRIPTION_ENV` in its environment (``azimagebuilder ... --emulator`` reads them), and the emulator
stops when it ends; the exit status is the command's (127 when it cannot be found, 126 when it cannot be
run, 128+N when signal N ended it). SIGTERM is passed on to the command; Ctrl-C reaches it from the
terminal. The emulator's own lines then go to stderr, so the command's output is all of stdout.

Example:
    $ azimagebuilder emulator --port 8443 --build-duration 5 --state emulator-state.json
    base_url: https://127.0.0.1:8443
    ca_cert: /tmp/azimagebuilder-emulator-k2j3/ca.pem
    subscription_id: 00000000-0000-0000-0000-000000000000
    azimagebuilder emulator ready
    $ azimagebuilder emulator -- sh -c 'echo "$AZIMAGEBUILDER_BASE_URL"' 2>/dev/null
    https://127.0.0.1:40113
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from typing import Any, TextIO

from ._common import FAILED, USAGE, number, port, seconds

__all__ = ["BASE_URL_ENV", "CA_CERT_ENV", "SUBSCRIPTION_ENV", "register", "run"]

#: What ``azimagebuilder emulator -- COMMAND`` tells the command: the emulator's base URL, the path of the
#: CA certificate to trust and its subscription id.
BASE_URL_ENV = "AZIMAGEBUILDER_BASE_URL"
CA_CERT_ENV = "AZIMAGEBUILDER_CA_CERT"
SUBSCRIPTION_ENV = "AZIMAGEBUILDER_SUBSCRIPTION_ID"


def register(subparsers: Any) -> None:
    """Add the ``emulator`` subcommand."""
    parser = subparsers.add_parser(
        "emulator",
        help="run the local Image Builder emulator (HTTPS on 127.0.0.1)",
        description=(
            "Serve a local, faithful emulator of Azure VM Image Builder (Microsoft.VirtualMachineImages) "
            "until Ctrl-C or SIGTERM, or, given `-- COMMAND [ARG...]`, while that command runs (it finds the "
            f"emulator in ${BASE_URL_ENV}, ${CA_CERT_ENV} and ${SUBSCRIPTION_ENV}; the exit status is "
            "its). No VM is built; see docs/emulator.md."
        ),
    )
    parser.add_argument(
        "command",
        nargs=argparse.REMAINDER,
        metavar="-- COMMAND [ARG...]",
        help="run COMMAND while the emulator serves, then stop it and exit with COMMAND's status",
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
    """Start the emulator, print where it is, serve until interrupted (or while ``args.command`` runs);
    returns the exit status."""
    from ..emulator import Emulator, StateFileError, parse_fault

    command = list(args.command or [])
    if command[:1] == ["--"]:
        command = command[1:]
        if not command:
            print("azimagebuilder emulator: give a COMMAND after --", file=sys.stderr)
            return USAGE
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
        return USAGE
    try:
        emulator.start()
    except OSError as exc:
        where = f"{args.host}:{args.port}"
        print(f"azimagebuilder emulator: cannot listen on {where}: {exc}", file=sys.stderr)
        return FAILED
    try:
        out = sys.stderr if command else sys.stdout
        print(f"base_url: {emulator.base_url}", file=out)
        print(f"ca_cert: {emulator.ca_cert}", file=out)
        print(f"subscription_id: {emulator.subscription_id}", file=out)
        if args.state:
            print(f"state: {args.state}", file=out)
        if command:
            env = {
                **os.environ,
                BASE_URL_ENV: emulator.base_url,
                CA_CERT_ENV: str(emulator.ca_cert),
                SUBSCRIPTION_ENV: emulator.subscription_id,
            }
            return _run_command(command, env, out)
        _serve(out)
    finally:
        emulator.stop()
    return 0


def _serve(out: TextIO) -> None:
    """Wait for Ctrl-C or SIGTERM."""
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        print("azimagebuilder emulator ready (Ctrl-C or SIGTERM stops it)", file=out, flush=True)
        try:
            while not stop.wait(0.2):
                pass
        except KeyboardInterrupt:
            pass
        print("azimagebuilder emulator stopping", file=out, flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_command(command: list[str], env: dict[str, str], out: TextIO) -> int:
    """Run ``command`` to its end; its exit status, as a shell gives it (126, 127, 128+N)."""
    sys.stdout.flush()
    try:
        child = subprocess.Popen(command, env=env)
    except FileNotFoundError:
        print(f"azimagebuilder emulator: {command[0]}: command not found", file=sys.stderr)
        return 127
    except OSError as exc:  # not executable, a directory, ...
        print(f"azimagebuilder emulator: {command[0]}: cannot run it: {exc.strerror}", file=sys.stderr)
        return 126

    def forward(signum: int, frame: object) -> None:
        child.send_signal(signum)

    # SIGTERM is passed on; Ctrl-C reaches the command from the terminal (same process group), so this
    # process only waits for it to end.
    previous_term = signal.signal(signal.SIGTERM, forward)
    previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        status = child.wait()
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)
    if status < 0:
        ended = f"was ended by signal {-status} ({signal.Signals(-status).name})"
    else:
        ended = f"exited {status}"
    print(f"azimagebuilder emulator stopping: {command[0]} {ended}", file=out, flush=True)
    return 128 - status if status < 0 else status
