"""Build a customized Ubuntu image (managed image + VHD) with one call, showing progress.

    python examples/build_linux_image.py --base-url https://127.0.0.1:PORT --ca-cert ca.pem   # emulator
    python examples/build_linux_image.py --subscription-id <id> --resource-group <rg>         # Azure

Prints each run output, then deletes the template (``--keep`` keeps it). Against Azure, copy the VHD out
before deleting: the VHD lives in the template's staging resource group and goes with it.
"""

from __future__ import annotations

import sys

from _common import client_kwargs, credential, parser

import azimagebuilder as aib


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__ or "")
    p.add_argument("--name", default="helloImageTemplateLinux")
    p.add_argument("--keep", action="store_true", help="do not delete the template at the end")
    args = p.parse_args(argv)

    image_id = (
        f"/subscriptions/{args.subscription_id}/resourceGroups/{args.resource_group}"
        f"/providers/Microsoft.Compute/images/{args.name}-image"
    )
    template = aib.ImageTemplate(
        location=args.location,
        source=aib.PlatformImageSource(
            publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
        ),
        customize=[
            aib.ShellCustomizer(name="hello", inline=["echo 'built by azimagebuilder' | sudo tee /etc/motd"]),
        ],
        distribute=[
            aib.ManagedImageDistributor(image_id=image_id, location=args.location, run_output_name="image"),
            aib.VhdDistributor(run_output_name="vhd"),
        ],
    )

    with aib.ImageBuilderClient(credential(args), args.subscription_id, **client_kwargs(args)) as client:
        result = client.build(args.resource_group, args.name, template, replace=True, progress=True)
        print(f"run state: {result.run_status.run_state if result.run_status else '?'}")
        for name, artifact_id in result.artifact_ids.items():
            print(f"artifactId  {name}: {artifact_id}")
        for name, uri in result.vhd_uris.items():
            print(f"artifactUri {name}: {uri}")
        if not args.keep:
            # force: this example does not copy the VHD out (see azimagebuilder.resources for that)
            client.begin_delete(args.resource_group, args.name, force=True).result()
            print(f"deleted template {args.name}")
    return 0 if result.succeeded else 1


if __name__ == "__main__":
    sys.exit(main())
