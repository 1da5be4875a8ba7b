"""200 concurrent template lifecycles against the emulator, over raw HTTPS with one thread per lifecycle.

Each lifecycle: PUT a template, poll its create operation, POST run, poll the run operation, list and get
its run outputs, DELETE it and poll the delete operation. The emulator runs as ``azimagebuilder emulator``
in its own process, so its peak RSS (VmHWM) is its own. Prints errors (must be 0), wall time, request
count and rate, latency percentiles and the emulator's peak RSS.

Usage:
    python benchmarks/emulator_concurrency.py [--lifecycles 200] [--build-duration 2] [--poll-interval 0.25]
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

API = "api-version=2019-05-01-preview"
SUB = "00000000-0000-0000-0000-000000000000"


def body(index: int) -> dict[str, Any]:
    image = f"/subscriptions/{SUB}/resourceGroups/bench/providers/Microsoft.Compute/images/img{index}"
    return {
        "location": "westus2",
        "tags": {},
        "properties": {
            "source": {
                "type": "PlatformImage",
                "publisher": "Canonical",
                "offer": "UbuntuServer",
                "sku": "18.04-LTS",
                "version": "latest",
            },
            "customize": [{"name": "hello", "type": "Shell", "inline": ["echo hello"]}],
            "distribute": [
                {"runOutputName": "img", "type": "ManagedImage", "imageId": image, "location": "westus2"},
                {"runOutputName": "vhd", "type": "VHD"},
            ],
        },
    }


class Lifecycle:
    def __init__(self, base_url: str, ca_cert: str, poll_interval: float) -> None:
        self.base_url = base_url
        self.ca_cert = ca_cert
        self.poll_interval = poll_interval
        self.latencies: list[float] = []
        self.lock = threading.Lock()

    def call(self, session: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
        start = time.perf_counter()
        answer = session.request(method, url, verify=self.ca_cert, timeout=60, **kwargs)
        with self.lock:
            self.latencies.append(time.perf_counter() - start)
        return answer

    def poll(self, session: requests.Session, url: str) -> str:
        while True:
            status = str(self.call(session, "GET", url).json()["status"])
            if status != "InProgress":
                return status
            time.sleep(self.poll_interval)

    def __call__(self, index: int) -> str | None:
        """Run one lifecycle; returns None, or what went wrong."""
        path = (
            f"{self.base_url}/subscriptions/{SUB}/resourceGroups/bench{index % 10}/providers/"
            f"Microsoft.VirtualMachineImages/imageTemplates/t{index}"
        )
        try:
            with requests.Session() as session:
                session.headers["Authorization"] = "Bearer benchmark"
                put = self.call(session, "PUT", f"{path}?{API}", json=body(index))
                if put.status_code != 201:
                    return f"PUT {put.status_code}"
                if self.poll(session, put.headers["Azure-AsyncOperation"]) != "Succeeded":
                    return "create did not succeed"
                run = self.call(session, "POST", f"{path}/run?{API}")
                if run.status_code != 202:
                    return f"run {run.status_code}"
                if self.poll(session, run.headers["Location"]) != "Succeeded":
                    return "run did not succeed"
                outputs = self.call(session, "GET", f"{path}/runOutputs?{API}").json()["value"]
                if sorted(o["name"] for o in outputs) != ["img", "vhd"]:
                    return f"outputs {outputs}"
                vhd = self.call(session, "GET", f"{path}/runOutputs/vhd?{API}")
                if vhd.status_code != 200 or "artifactUri" not in vhd.json()["properties"]:
                    return f"vhd output {vhd.status_code}"
                deleted = self.call(session, "DELETE", f"{path}?{API}")
                if deleted.status_code != 202:
                    return f"DELETE {deleted.status_code}"
                if self.poll(session, deleted.headers["Location"]) != "Succeeded":
                    return "delete did not succeed"
                if self.call(session, "GET", f"{path}?{API}").status_code != 404:
                    return "template still there after delete"
        except Exception as exc:  # counted, not raised: the benchmark reports every error
            return f"{type(exc).__name__}: {exc}"
        return None


def peak_rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lifecycles", type=int, default=200)
    parser.add_argument("--build-duration", type=float, default=2.0)
    parser.add_argument("--poll-interval", type=float, default=0.25)
    args = parser.parse_args(argv)

    process = subprocess.Popen(
        [sys.executable, "-m", "azimagebuilder", "emulator", "--build-duration", str(args.build_duration)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    info: dict[str, str] = {}
    assert process.stdout is not None
    for line in process.stdout:
        if "ready" in line:
            break
        key, _, value = line.partition(": ")
        info[key] = value.strip()
    try:
        lifecycle = Lifecycle(info["base_url"], info["ca_cert"], args.poll_interval)
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.lifecycles) as pool:
            results = list(pool.map(lifecycle, range(args.lifecycles)))
        wall = time.perf_counter() - start
        rss = peak_rss_mib(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)

    errors = [r for r in results if r is not None]
    latencies = sorted(lifecycle.latencies)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"lifecycles: {args.lifecycles} concurrent (build_duration {args.build_duration} s, polls every "
        f"{args.poll_interval} s)"
    )
    print(f"errors: {len(errors)}")
    for error in errors[:10]:
        print(f"  {error}")
    print(f"wall time: {wall:.2f} s")
    print(f"requests: {len(latencies)} ({len(latencies) / wall:.0f} per second)")
    print(
        f"latency: p50 {quantiles[49] * 1000:.1f} ms, p95 {quantiles[94] * 1000:.1f} ms, "
        f"p99 {quantiles[98] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
    )
    print(f"emulator peak RSS: {rss:.1f} MiB" if rss is not None else "emulator peak RSS: unknown")
    print(f"emulator exit status: {process.returncode}")
    return 1 if errors or process.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
