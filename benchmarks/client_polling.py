"""HTTP requests per template lifecycle, and how late a build's end is noticed, per polling interval.

Against the emulator with a known build duration (real clock): for each polling interval, a few full
lifecycles (create, run, list run outputs, get, delete) run side by side, each with a transport that
counts requests per phase. Lateness is the time between the run's ``lastRunStatus.endTime`` (the emulator's
clock, this machine's time) and the moment ``begin_run(...).result()`` returned.

A real build's length is no multiple of the polling interval, so each lifecycle gets its own emulator whose
build lasts ``--build-seconds`` plus a different share of the longest interval (spread evenly): the mean
lateness then estimates what a user sees on average.

    python benchmarks/client_polling.py                      # about a minute on 2 cores
    python benchmarks/client_polling.py --build-seconds 30 --intervals 1,5,15,30 --repeat 2

Prints a Markdown table (copied into docs/performance.md, "Client: polling").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from client_common import hello_template


@dataclass
class Lifecycle:
    interval: float
    requests: Counter[str] = field(default_factory=Counter)
    lateness: float = 0.0
    run_seconds: float = 0.0


def _counting_transport(counter: Counter[str], phase: list[str], **kwargs: Any) -> Any:
    from azure.core.pipeline.transport import RequestsTransport

    class CountingTransport(RequestsTransport):  # type: ignore[misc]
        def send(self, request: Any, **send_kwargs: Any) -> Any:
            counter[phase[0]] += 1
            return super().send(request, **send_kwargs)

    return CountingTransport(**kwargs)


def lifecycle(emulator: Any, name: str, interval: float) -> Lifecycle:
    from azimagebuilder import ImageBuilderClient

    result = Lifecycle(interval)
    phase = ["create"]
    transport = _counting_transport(result.requests, phase, connection_verify=emulator.ca_cert)
    with ImageBuilderClient(
        emulator.credential,
        emulator.subscription_id,
        base_url=emulator.base_url,
        polling_interval=interval,
        transport=transport,
    ) as client:
        client.begin_create_or_update("bench", name, hello_template()).result()
        phase[0] = "run"
        started = time.monotonic()
        client.begin_run("bench", name).result()
        noticed = datetime.now(timezone.utc)
        result.run_seconds = time.monotonic() - started
        phase[0] = "outputs"
        list(client.list_run_outputs("bench", name))
        status = client.get("bench", name).last_run_status
        assert status is not None
        assert status.end_time is not None
        result.lateness = (noticed - status.end_time).total_seconds()
        phase[0] = "delete"
        client.begin_delete("bench", name, force=True).result()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-seconds", type=float, default=20.0)
    parser.add_argument("--intervals", default="0.5,1,2,5,10")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    intervals = [float(x) for x in args.intervals.split(",")]

    from azimagebuilder.emulator import Emulator

    spread = max(intervals)
    jobs = [
        (f"t{i}-{k}", interval, args.build_seconds + spread * (k + 0.5) / args.repeat)
        for i, interval in enumerate(intervals)
        for k in range(args.repeat)
    ]

    def run(job: tuple[str, float, float]) -> Lifecycle:
        name, interval, build_seconds = job
        create_seconds = delete_seconds = args.build_seconds / 5
        with Emulator(
            build_duration=build_seconds, create_duration=create_seconds, delete_duration=delete_seconds
        ) as emulator:
            return lifecycle(emulator, name, interval)

    started = time.monotonic()
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(run, jobs))
    wall = time.monotonic() - started

    print(
        f"Emulator builds of {args.build_seconds:g} to {args.build_seconds + spread:g} s (create and delete "
        f"{args.build_seconds / 5:g} s), {args.repeat} lifecycles per interval, all side by side; "
        f"{wall:.0f} s wall, Python {sys.version.split()[0]}.\n"
    )
    print(
        "| polling interval | requests: create | run | outputs + get | delete | total "
        "| run noticed late by (mean / max) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for interval in intervals:
        rows = [r for r in results if r.interval == interval]

        def mean(phase: str, rows: list[Lifecycle] = rows) -> float:
            return statistics.mean(r.requests[phase] for r in rows)

        total = statistics.mean(sum(r.requests.values()) for r in rows)
        late = [r.lateness for r in rows]
        print(
            f"| {interval:g} s | {mean('create'):.1f} | {mean('run'):.1f} | {mean('outputs'):.1f} | "
            f"{mean('delete'):.1f} | {total:.1f} | {statistics.mean(late):.2f} s / {max(late):.2f} s |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
