"""200 concurrent lifecycles under 20 % injected faults of every kind on every route, sync and aio.

Each lifecycle is ``client.build()`` (create, run, wait, read the run outputs and the template) of its own
template, then ``begin_delete(force=True).result()``. The emulator answers about one request in five with a
fault, drawn from a seeded source, on every route (PUT, GET, POST .../run, DELETE, the operation polls, the
run outputs): 429 with and without ``Retry-After``, 500, 503, 504, and dropped connections, some of them
*after* the request was carried out (the answer is lost, as with a gateway timeout).

Reported per client: lifecycles completed and failed, duplicated runs (a template built more than once), and
lost templates (left behind in the emulator when their lifecycle ended). The client runs in a child
process; the emulator in this one, so it can count runs and templates afterwards.

    python benchmarks/faults.py                          # a few minutes on 2 shared cores
    python benchmarks/faults.py --lifecycles 50 --fault-rate 0.3

Prints a Markdown table (copied into docs/performance.md, "Client: lifecycles under faults").
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from client_common import AnyToken, AsyncAnyToken, hello_template

RG = "bench-faults"

#: (status, retry_after, after): every kind of fault, each drawn with the same share of the fault rate.
KINDS: tuple[tuple[Any, int | None, bool], ...] = (
    (429, 1, False),
    (429, None, False),
    (500, None, False),
    (500, None, True),
    (503, 1, False),
    (503, None, False),
    (504, None, True),
    ("drop", None, False),
    ("drop", None, True),
)


def fault_rules(rate: float) -> list[Any]:
    """One rule per kind on every route, so that a request meets some fault with probability ``rate``."""
    from azimagebuilder.emulator import FaultRule

    # The rules are tried in turn, each with its own draw: 1 - (1 - r)^k = rate.
    each = 1 - (1 - rate) ** (1 / len(KINDS))
    return [
        FaultRule("*", status, rate=each, retry_after=retry_after, after=after)
        for status, retry_after, after in KINDS
    ]


def _outcome(error: BaseException | None) -> str:
    return "completed" if error is None else f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"


def child(mode: str, base_url: str, subscription: str, lifecycles: int, interval: float) -> dict[str, Any]:
    import azimagebuilder
    import azimagebuilder.aio

    template = hello_template()
    kwargs: dict[str, Any] = {"base_url": base_url, "polling_interval": interval}
    started = time.monotonic()
    outcomes: list[str] = []
    if mode == "aio":

        async def lifecycle(client: Any, i: int) -> str:
            name = f"aio-{i}"
            try:
                result = await client.build(RG, name, template)
                if not result.succeeded:
                    return f"run ended {result.run_status.run_state if result.run_status else None}"
                await (await client.begin_delete(RG, name, force=True)).result()
            except Exception as err:
                return _outcome(err)
            return _outcome(None)

        async def all_lifecycles() -> list[str]:
            async with azimagebuilder.aio.ImageBuilderClient(
                AsyncAnyToken(), subscription, **kwargs
            ) as client:
                return await asyncio.gather(*(lifecycle(client, i) for i in range(lifecycles)))

        outcomes = asyncio.run(all_lifecycles())
    else:

        def one(i: int) -> str:
            name = f"sync-{i}"
            try:
                with azimagebuilder.ImageBuilderClient(AnyToken(), subscription, **kwargs) as client:
                    result = client.build(RG, name, template)
                    if not result.succeeded:
                        return f"run ended {result.run_status.run_state if result.run_status else None}"
                    client.begin_delete(RG, name, force=True).result()
            except Exception as err:
                return _outcome(err)
            return _outcome(None)

        with ThreadPoolExecutor(lifecycles) as pool:
            outcomes = list(pool.map(one, range(lifecycles)))
    return {"mode": mode, "wall": time.monotonic() - started, "outcomes": outcomes}


def count(emulator: Any) -> tuple[int, int]:
    """(templates built more than once, templates left behind) in the emulator's state."""
    section = emulator.state.snapshot()["sections"].get("imagebuilder", {})
    runs = collections.Counter(
        op["template"] for op in section.get("operations", {}).values() if op["kind"] == "run"
    )
    duplicated = sum(1 for n in runs.values() if n > 1)
    left = sum(1 for record in section.get("templates", {}).values() if record.get("deleting") is None)
    return duplicated, left


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifecycles", type=int, default=200)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--build-seconds", type=float, default=5.0)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--modes", default="sync,aio")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "BASE_URL", "SUBSCRIPTION"))
    args = parser.parse_args(argv)
    if args.child:
        mode, base_url, subscription = args.child
        print(json.dumps(child(mode, base_url, subscription, args.lifecycles, args.interval)))
        return 0

    from azimagebuilder.emulator import Emulator

    rows = []
    for mode in args.modes.split(","):
        with Emulator(
            build_duration=args.build_seconds, faults=fault_rules(args.fault_rate), seed=args.seed
        ) as emu:
            command = [
                sys.executable,
                __file__,
                "--lifecycles",
                str(args.lifecycles),
                "--interval",
                str(args.interval),
                "--child",
                mode,
                emu.base_url,
                emu.subscription_id,
            ]
            env = {**os.environ, "SSL_CERT_FILE": emu.ca_cert, "REQUESTS_CA_BUNDLE": emu.ca_cert}
            out = subprocess.run(command, check=True, capture_output=True, text=True, timeout=900, env=env)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row["duplicated"], row["left"] = count(emu)
            row["injected"] = emu.faults.injected
            rows.append(row)

    print(
        f"{args.lifecycles} concurrent lifecycles (build + delete), {args.fault_rate:.0%} of requests "
        f"faulted ({len(KINDS)} kinds, every route), emulator builds of {args.build_seconds:g} s, "
        f"polling every {args.interval:g} s, seed {args.seed}\n"
    )
    print("| client | completed | failed | duplicated runs | lost templates | faults injected | wall time |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    failures: list[str] = []
    for row in rows:
        outcomes = row["outcomes"]
        done = sum(1 for o in outcomes if o == "completed")
        failures += [f"{row['mode']}: {o}" for o in outcomes if o != "completed"]
        print(
            f"| {row['mode']} | {done}/{len(outcomes)} | {len(outcomes) - done} | {row['duplicated']} "
            f"| {row['left']} | {row['injected']} | {row['wall']:.1f} s |"
        )
    for line, n in collections.Counter(failures).most_common(10):
        print(f"\n{n} x {line}")
    ok = all(
        r["duplicated"] == 0 and r["left"] == 0 and all(o == "completed" for o in r["outcomes"]) for r in rows
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
