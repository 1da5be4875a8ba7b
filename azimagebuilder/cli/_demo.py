"""``azimagebuilder demo``: the whole Image Builder lifecycle in a few seconds, against the local emulator.

Starts the emulator in this process, builds the template document's Linux example in Python (Ubuntu
18.04-LTS, a Shell customizer with inline commands, a File customizer to /tmp, a managed image and a VHD),
checks it, submits it, runs it with a progress display, prints the run outputs, and deletes the template.
No Azure account, no network: everything happens on 127.0.0.1.

Example:
    >>> from azimagebuilder.cli import main
    >>> main(["demo", "--build-duration", "2"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import IO, TYPE_CHECKING, Any

from ._common import positive_seconds, seconds

if TYPE_CHECKING:
    from ..models import ImageTemplate

#: Names the demo uses; any resource group works in the emulator.
RESOURCE_GROUP = "demo-images"
TEMPLATE_NAME = "helloImageTemplateLinux"
LOCATION = "westus2"


def register(subparsers: Any) -> None:
    """Add the ``demo`` subcommand."""
    parser = subparsers.add_parser(
        "demo",
        help="build an image end to end against the local emulator (no Azure account needed)",
        description=(
            "Start the local Image Builder emulator, build the template document's Linux example "
            "(Ubuntu 18.04-LTS; Shell and File customizers; managed image and VHD), run it with progress, "
            "print the run outputs and delete the template. Takes a few seconds."
        ),
    )
    parser.add_argument(
        "--build-duration",
        type=seconds,
        default=4.0,
        metavar="SECONDS",
        help="how long the simulated build takes (default: 4)",
    )
    parser.add_argument(
        "--polling-interval",
        type=positive_seconds,
        default=0.25,
        metavar="SECONDS",
        help="seconds between polls (default: 0.25; Azure itself wants about 30)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the template instead of deleting it at the end"
    )
    parser.set_defaults(func=run_demo)


def demo_template(subscription_id: str) -> ImageTemplate:
    """The template document's Linux example, written in Python."""
    from ..models import (
        FileCustomizer,
        ImageTemplate,
        ManagedImageDistributor,
        PlatformImageSource,
        ShellCustomizer,
        VhdDistributor,
        VmProfile,
    )

    image_id = (
        f"/subscriptions/{subscription_id}/resourceGroups/{RESOURCE_GROUP}"
        "/providers/Microsoft.Compute/images/helloImageLinux"
    )
    return ImageTemplate(
        location=LOCATION,
        tags={"imagebuilderTemplate": "ubuntu1804"},
        build_timeout_in_minutes=80,
        vm_profile=VmProfile(vm_size="Standard_D1_v2"),
        source=PlatformImageSource(
            publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
        ),
        customize=(
            ShellCustomizer(
                name="InstallUpgrades",
                inline=("sudo apt-get update", "sudo apt-get install -y unattended-upgrades"),
            ),
            FileCustomizer(
                name="downloadBuildArtifacts",
                source_uri=(
                    "https://raw.githubusercontent.com/danielsollondon/azvmimagebuilder/master/"
                    "quickquickstarts/exampleArtifacts/buildArtifacts/index.html"
                ),
                destination="/tmp/index.html",
            ),
            ShellCustomizer(
                name="setupBuildPath",
                inline=("sudo mkdir /buildArtifacts", "sudo cp /tmp/index.html /buildArtifacts/index.html"),
            ),
        ),
        distribute=(
            ManagedImageDistributor(
                image_id=image_id,
                location=LOCATION,
                run_output_name="linuxImage",
                artifact_tags={"source": "azVmImageBuilder", "baseosimg": "ubuntu1804"},
            ),
            VhdDistributor(run_output_name="linuxVhd"),
        ),
    )


def run_demo(args: argparse.Namespace, out: IO[str] | None = None) -> int:
    """Run the demo; returns 0 when the build succeeded."""
    from .._client import ImageBuilderClient
    from ..emulator import Emulator
    from ..validation import validate

    stream = out if out is not None else sys.stdout

    def say(text: str = "") -> None:
        stream.write(text + "\n")
        stream.flush()

    started = time.monotonic()
    say("Starting the local Image Builder emulator (HTTPS on 127.0.0.1, no Azure account needed) ...")
    with Emulator(build_duration=args.build_duration) as emu:
        say(f"  emulator at {emu.base_url}")
        template = demo_template(emu.subscription_id)
        report = validate(template)
        say(
            f"Template {TEMPLATE_NAME!r}: Ubuntu 18.04-LTS, {len(template.customize)} customizers "
            f"(Shell, File to /tmp, Shell), distributed as a managed image and a VHD"
        )
        say(f"  checked locally: {len(report.errors)} error(s), {len(report.warnings)} warning(s)")
        for problem in report.warnings:
            say(f"  warning {problem.path}: {problem.message} [{problem.code}]")
        with ImageBuilderClient(
            emu.credential,
            emu.subscription_id,
            base_url=emu.base_url,
            connection_verify=emu.ca_cert,
            polling_interval=args.polling_interval,
        ) as client:
            say(f"Submitting and running it (resource group {RESOURCE_GROUP!r}) ...")
            from ..progress import ProgressDisplay

            display = ProgressDisplay(stream=stream) if out is not None else True
            result = client.build(RESOURCE_GROUP, TEMPLATE_NAME, template, progress=display)
            if out is not None and isinstance(display, ProgressDisplay):
                display.close()
            state = result.run_status.run_state if result.run_status else "unknown"
            say(f"Build finished: {state}")
            say("Run outputs:")
            for output in result.outputs:
                if output.artifact_id:
                    say(f"  {output.name:<12} artifactId  {output.artifact_id}")
                if output.artifact_uri:
                    say(f"  {output.name:<12} artifactUri {output.artifact_uri}")
            if args.keep:
                say(f"Keeping template {TEMPLATE_NAME!r} (it goes when the emulator stops).")
            else:
                say(
                    "Deleting the template with force=True: its VHD lives only in the emulator, so there is "
                    "nothing to copy out first (against Azure, copy a VHD out before deleting the template: "
                    "the staging resource group and the VHD go with it) ..."
                )
                client.begin_delete(RESOURCE_GROUP, TEMPLATE_NAME, force=True).result()
                say("  deleted")
    say(f"Emulator stopped. Demo took {time.monotonic() - started:.1f} s.")
    return 0 if result.succeeded else 1
