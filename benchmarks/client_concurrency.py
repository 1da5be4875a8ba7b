"""200 concurrent builds: one aio client on one event loop, against 200 threads of the sync client.

The emulator runs in this process; each side runs in a child process of its own, so its peak memory
(``ru_maxrss``) is the client's alone. Every build is a full ``client.build()`` (create, run, wait, read
the run outputs and the template) of its own template, polling every ``--interval`` seconds, against an
emulator whose builds last ``--build-seconds``.

    python benchmarks/client_concurrency.py                   # about a minute on 2 cores
    python benchmarks/client_concurrency.py --builds 50 --build-seconds 5

Prints a Markdown table (copied into docs/performance.md, "Client: 200 concurrent builds").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from client_common import AnyToken, AsyncAnyToken, hello_template


def _rss_mib() -> float:
    """Peak resident memory of this process so far. VmHWM, because ru_maxrss survives exec: a child would
    report its parent's (the emulator's) peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _peak_threads(stop: threading.Event, seen: list[int]) -> None:
    while not stop.wait(0.05):
        seen[0] = max(seen[0], threading.active_count())


def child(
    mode: str, base_url: str, ca_cert: str, subscription: str, builds: int, interval: float
) -> dict[str, Any]:
    import azimagebuilder
    import azimagebuilder.aio

    template = hello_template()
    kwargs: dict[str, Any] = {"base_url": base_url, "polling_interval": interval}
    if mode == "aio-verify-path":
        # What the emulator docs show: azure-core's aiohttp transport then builds an SSL context (and so a
        # new connection) for every request. The other modes trust the CA through SSL_CERT_FILE /
        # REQUESTS_CA_BUNDLE instead, as a process that talks to one endpoint all day would.
        kwargs["connection_verify"] = ca_cert
    # Load every module either side needs before the baseline, so it measures the builds alone.
    azimagebuilder.ImageBuilderClient(AnyToken(), subscription, **kwargs).close()
    azimagebuilder.aio.ImageBuilderClient(AsyncAnyToken(), subscription, **kwargs)
    baseline = _rss_mib()
    threads = [threading.active_count()]
    stop = threading.Event()
    watcher = threading.Thread(target=_peak_threads, args=(stop, threads), daemon=True)
    watcher.start()
    started = time.monotonic()
    if mode.startswith("aio"):

        async def all_builds() -> list[Any]:
            async with azimagebuilder.aio.ImageBuilderClient(
                AsyncAnyToken(), subscription, **kwargs
            ) as client:
                return await asyncio.gather(
                    *(client.build("bench-aio", f"aio-{i}", template) for i in range(builds))
                )

        results = asyncio.run(all_builds())
    else:

        def one_build(i: int) -> Any:
            with azimagebuilder.ImageBuilderClient(AnyToken(), subscription, **kwargs) as client:
                return client.build("bench-sync", f"sync-{i}", template)

        with ThreadPoolExecutor(builds) as pool:
            results = list(pool.map(one_build, range(builds)))
    wall = time.monotonic() - started
    stop.set()
    return {
        "mode": mode,
        "wall": wall,
        "succeeded": sum(1 for r in results if r.succeeded),
        "baseline_mib": baseline,
        "peak_mib": _rss_mib(),
        "threads": threads[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=200)
    parser.add_argument("--build-seconds", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--child", nargs=4, metavar=("MODE", "BASE_URL", "CA_CERT", "SUBSCRIPTION"))
    args = parser.parse_args(argv)
    if args.child:
        mode, base_url, ca_cert, subscription = args.child
        print(json.dumps(child(mode, base_url, ca_cert, subscription, args.builds, args.interval)))
        return 0

    from azimagebuilder.emulator import Emulator

    rows = []
    for mode in ("aio", "aio-verify-path", "sync"):
        # A fresh emulator per side, so the second side does not list or store the first side's templates.
        with Emulator(build_duration=args.build_seconds) as emulator:
            command = [
                sys.executable,
                __file__,
                "--builds",
                str(args.builds),
                "--interval",
                str(args.interval),
                "--child",
                mode,
                emulator.base_url,
                emulator.ca_cert,
                emulator.subscription_id,
            ]
            env = {**os.environ, "SSL_CERT_FILE": emulator.ca_cert, "REQUESTS_CA_BUNDLE": emulator.ca_cert}
            out = subprocess.run(command, check=True, capture_output=True, text=True, timeout=600, env=env)
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))

    ideal = args.build_seconds * 1.2  # create (a fifth of a build) + the build itself
    print(
        f"{args.builds} builds at once, emulator builds of {args.build_seconds:g} s "
        f"(+ {args.build_seconds / 5:g} s create), polling every {args.interval:g} s; "
        f"one build alone takes about {ideal:g} s. "
        f"Python {sys.version.split()[0]}.\n"
    )
    print("| client | wall time | builds succeeded | peak RSS | of which the builds | peak threads |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    names = {
        "aio": "aio: 1 client, asyncio.gather",
        "aio-verify-path": "aio, `connection_verify=ca_cert`",
        "sync": f"sync: {args.builds} threads, a client each",
    }
    for row in rows:
        print(
            f"| {names[row['mode']]} | {row['wall']:.1f} s | {row['succeeded']}/{args.builds} | "
            f"{row['peak_mib']:.0f} MiB | {row['peak_mib'] - row['baseline_mib']:.0f} MiB | "
            f"{row['threads']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
