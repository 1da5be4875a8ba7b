"""Start a build in one process and wait for it in another, with a continuation token.

    python examples/resume_a_run.py start  --token-file run.token [--base-url ... --ca-cert ...]
    python examples/resume_a_run.py resume --token-file run.token [--base-url ... --ca-cert ...]

``start`` creates the template (if needed), starts a run, saves the poller's continuation token and exits
at once. ``resume`` (later, anywhere) waits for that run to finish and prints its status and outputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _common import client_kwargs, credential, parser

import azimagebuilder as aib


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__ or "")
    p.add_argument("step", choices=("start", "resume"))
    p.add_argument("--token-file", type=Path, required=True)
    p.add_argument("--name", default="resumableTemplate")
    args = p.parse_args(argv)

    with aib.ImageBuilderClient(credential(args), args.subscription_id, **client_kwargs(args)) as client:
        if args.step == "start":
            template = aib.ImageTemplate(
                location=args.location,
                source=aib.PlatformImageSource(
                    publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
                ),
                customize=[aib.ShellCustomizer(name="hello", inline=["echo hello"])],
                distribute=[aib.VhdDistributor(run_output_name="vhd")],
            )
            client.begin_create_or_update(args.resource_group, args.name, template).result()
            poller = client.begin_run(args.resource_group, args.name)
            args.token_file.write_text(poller.continuation_token())
            print(f"run started; token saved to {args.token_file}")
            return 0
        token = args.token_file.read_text()
        status = client.begin_run(args.resource_group, args.name, continuation_token=token).result()
        print(f"run state: {status.run_state}")
        for output in client.list_run_outputs(args.resource_group, args.name):
            print(f"{output.name}: {output.artifact_uri or output.artifact_id}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
