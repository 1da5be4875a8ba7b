"""Lenient JSON (comments, trailing commas) against strict JSON: a 50 MB template read by load_template.

Writes a template of about ``--megabytes`` MB (many Shell customizers with long inline scripts, strings
that hold ``//``, ``/*`` and ``,]`` so the cleanup must respect strings) as strict JSON, with one trailing
comma near its end, and with comments and a trailing comma in every customizer, then times ``parse_json``
(text to value) and ``load_template`` (a path to a checked model) on each. Best of ``--repeat`` runs.

    python benchmarks/lenient_json.py                  # about half a minute
    python benchmarks/lenient_json.py --megabytes 5

Prints a Markdown table (copied into docs/performance.md, "Loading: lenient JSON").
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any


def document(megabytes: float) -> dict[str, Any]:
    line = "echo 'https://example.com/a//b /* not a comment */ [1,] {x,}' " + "x" * 400 + " >> /tmp/log.txt"
    step = {"type": "Shell", "name": "step", "inline": [line] * 40}
    size = len(json.dumps(step))
    steps = max(1, int(megabytes * 1_000_000 / size))
    return {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2022-07-01",
        "location": "westus2",
        "identity": {
            "type": "UserAssigned",
            "userAssignedIdentities": {
                "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/"
                "userAssignedIdentities/aib": {}
            },
        },
        "properties": {
            "source": {
                "type": "PlatformImage",
                "publisher": "Canonical",
                "offer": "UbuntuServer",
                "sku": "18.04-LTS",
                "version": "latest",
            },
            "customize": [dict(step, name=f"step{i}") for i in range(steps)],
            "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
        },
    }


def everywhere(strict_text: str) -> str:
    """The same document with a comment and a trailing comma in every customizer."""
    return strict_text.replace('{"type": "Shell",', '{// a shell step\n"type": "Shell", /* kept */').replace(
        '"]}', '",],}'
    )


def at_the_end(strict_text: str) -> str:
    """The same document with one trailing comma, near its end."""
    head, sep, tail = strict_text.rpartition('"runOutputName": "vhd"')
    return head + sep + "," + tail


def best(repeat: int, action: Any) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from azimagebuilder import load_template
    from azimagebuilder.loading import parse_json

    strict_text = json.dumps(document(args.megabytes))
    inputs = (
        ("strict JSON", strict_text),
        ("one trailing comma at the end", at_the_end(strict_text)),
        ("a comment and a trailing comma in every customizer", everywhere(strict_text)),
    )
    expected = json.loads(strict_text)
    for label, text in inputs[1:]:
        value, problems = parse_json(text)
        assert value == expected, f"{label}: the lenient reading differs from the strict one"
        assert [p.code for p in problems] == ["lenient-json"], problems
    rows = []
    warnings.simplefilter("ignore")  # load_template warns about the lenient JSON, once per call
    with tempfile.TemporaryDirectory() as folder:
        for label, text in inputs:
            path = Path(folder) / "template.json"
            path.write_text(text, encoding="utf-8")
            parse = best(args.repeat, lambda text=text: parse_json(text))
            load = best(args.repeat, lambda path=path: load_template(path))
            rows.append((label, len(text.encode()) / 1e6, parse, load))
    print("| input | size | parse_json | load_template (path to model) |")
    print("| --- | ---: | ---: | ---: |")
    for label, size, parse, load in rows:
        print(f"| {label} | {size:.1f} MB | {parse:.2f} s | {load:.2f} s |")
    return 0 if all(load < 2.0 for *_, load in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
