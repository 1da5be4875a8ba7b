"""How long the command line takes to give up when it cannot do anything: no credential, no endpoint.

Each case runs ``python -m azimagebuilder ...`` in a fresh process with no Azure credential of any kind (no
``AZURE_*`` variables, an empty ``AZURE_CONFIG_DIR``, no ``az``/``azd``/``pwsh`` on PATH) and times it to
the exit, the median of ``--runs`` runs. Prints a Markdown table for docs/performance.md ("## Command line:
giving up") and exits 1 when a case takes 10 s or more, prints more than one line on stderr, or exits with
another code than the one in the table.

Usage:
    python benchmarks/cli_failures.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUB = "00000000-0000-0000-0000-000000000000"
IDENTITY = (
    f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i"
)
TEMPLATE = {
    "type": "Microsoft.VirtualMachineImages/imageTemplates",
    "apiVersion": "2024-02-01",
    "location": "westus2",
    "identity": {
        "type": "UserAssigned",
        "userAssignedIdentities": {IDENTITY: {}},
    },
    "properties": {
        "source": {
            "type": "PlatformImage",
            "publisher": "Canonical",
            "offer": "0001-com-ubuntu-server-jammy",
            "sku": "22_04-lts-gen2",
            "version": "latest",
        },
        "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
    },
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as work:
        template = Path(work) / "t.json"
        template.write_text(json.dumps(TEMPLATE), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_")}
        env["AZURE_CONFIG_DIR"] = str(Path(work) / "no-az")
        env["PATH"] = os.path.dirname(sys.executable)
        cases = [
            ("preflight, no credential", ["preflight", str(template), "--subscription", SUB], 1),
            ("status, no credential", ["status", "-g", "rg", "-n", "t", "--subscription", SUB], 1),
            ("logs, no credential", ["logs", "rg", "t", "--subscription", SUB], 1),
            (
                "list, endpoint refusing connections",
                ["list", "--subscription", SUB, "--emulator", "--base-url", "https://127.0.0.1:1"],
                1,
            ),
        ]
        bad = False
        print("| command | exit | stderr lines | seconds (median) |")
        print("| --- | ---: | ---: | ---: |")
        for label, argv, expected in cases:
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-m", "azimagebuilder", *argv],
                    capture_output=True,
                    text=True,
                    env=env,
                    timeout=120,
                    check=False,
                )
                times.append(time.perf_counter() - start)
            lines = len(done.stderr.strip().splitlines())
            median = statistics.median(times)
            bad |= median >= 10 or lines != 1 or done.returncode != expected
            print(f"| {label} | {done.returncode} | {lines} | {median:.2f} |")
    print(
        f"\nPython {platform.python_version()}, {platform.system()} {platform.machine()}, {runs} runs each."
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
