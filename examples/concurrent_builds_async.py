"""Run several builds at once with the async client.

python examples/concurrent_builds_async.py --count 5 --base-url https://127.0.0.1:PORT --ca-cert ca.pem
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from _common import client_kwargs, credential, parser

import azimagebuilder as aib
from azimagebuilder.aio import ImageBuilderClient


async def build_all(a: argparse.Namespace) -> list[aib.BuildResult]:
    async with ImageBuilderClient(credential(a), a.subscription_id, **client_kwargs(a)) as client:

        async def one(i: int) -> aib.BuildResult:
            template = aib.ImageTemplate(
                location=a.location,
                source=aib.PlatformImageSource(
                    publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
                ),
                customize=[aib.ShellCustomizer(name="hello", inline=[f"echo build {i}"])],
                distribute=[aib.VhdDistributor(run_output_name="vhd")],
            )
            name = f"concurrent-{i}"
            result = await client.build(a.resource_group, name, template, replace=True)
            poller = await client.begin_delete(a.resource_group, name, force=True)
            await poller.result()
            return result

        return await asyncio.gather(*(one(i) for i in range(a.count)))


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__ or "")
    p.add_argument("--count", type=int, default=5)
    args = p.parse_args(argv)
    results = asyncio.run(build_all(args))
    for result in results:
        print(f"{result.template.name}: {result.run_status.run_state if result.run_status else '?'}")
    return 0 if all(r.succeeded for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
