"""The template commands: ``run``, ``cancel``, ``status``, ``outputs``, ``show``, ``list``, ``delete``.

Each takes ``--resource-group/-g`` and ``--name/-n`` (``list``: ``-g`` optional), the shared connection
options (:mod:`._azure`) and ``--output table|json``. With ``--output json`` exactly one JSON document goes to
stdout; the shapes are in docs/cli.md and :mod:`._output`.

Exit codes: the table in :mod:`._common`. ``run`` and ``status --wait`` end as the run does, as ``build``
does: 0 Succeeded, 1 Failed or PartiallySucceeded, 5 Canceled, 4 when ``--timeout`` runs out.

Example:
    >>> from azimagebuilder.cli import main
    >>> main(["status", "-g", "images", "-n", "ubuntu", "--wait", "--output", "json"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from ._azure import add_connection_arguments, image_builder_client, resource_group_name
from ._build import add_target_arguments, interrupted_message, report_failure, timed_out_message
from ._common import CANCELLED, FAILED, INTERRUPTED, OK, TIMED_OUT, CliError, positive_seconds
from ._output import (
    add_output_argument,
    list_row,
    print_json,
    print_outputs_table,
    print_table,
    run_document,
    status_document,
)

if TYPE_CHECKING:
    from .._client import ImageBuilderClient

__all__ = ["register"]

_IN_PROGRESS = ("running", "canceling")


def _common_options(parser: argparse.ArgumentParser, *, name_required: bool = True) -> None:
    add_target_arguments(parser, name_required=name_required)
    add_connection_arguments(parser, api_version=True)
    add_output_argument(parser)


def register(subparsers: Any) -> None:
    """Add ``run``, ``cancel``, ``status``, ``outputs``, ``show``, ``list`` and ``delete``."""
    run = subparsers.add_parser(
        "run",
        help="run an existing template and wait for the build; print its outputs",
        description="Start a build of an existing template (POST .../run), show its progress on stderr and "
        "print the run outputs. Exit 0 succeeded, 1 failed, 4 timed out, 5 cancelled.",
    )
    _common_options(run)
    _wait_options(run)
    run.add_argument("--no-wait", action="store_true", help="start the build and return at once")
    run.set_defaults(func=run_run)

    cancel = subparsers.add_parser(
        "cancel",
        help="cancel a template's running build",
        description="Cancel the running build of a template (POST .../cancel, api-version 2020-02-14 and "
        "later) and wait until it has stopped.",
    )
    _common_options(cancel)
    cancel.add_argument("--no-wait", action="store_true", help="ask for the cancel and return at once")
    cancel.set_defaults(func=run_cancel)

    status = subparsers.add_parser(
        "status",
        help="a template's provisioning state and last run status (--wait: until the run ends)",
        description="Print a template's provisioningState and lastRunStatus. --wait waits for a running "
        "build to end and exits as it ended (0 succeeded, 1 failed, 5 cancelled, 4 timed out).",
    )
    _common_options(status)
    _wait_options(status)
    status.add_argument("--wait", action="store_true", help="wait until the run ends")
    status.set_defaults(func=run_status)

    outputs = subparsers.add_parser(
        "outputs",
        help="the run outputs of a template's last run (image ids, VHD URLs)",
        description="Print the run outputs of the template's last run: artifactId (managed image, gallery "
        "image version) or artifactUri (VHD) per runOutputName.",
    )
    _common_options(outputs)
    outputs.set_defaults(func=run_outputs)

    show = subparsers.add_parser(
        "show", help="a template as the service shows it", description="Print a template as the service "
        "returns it (GET), read-only fields included."
    )  # fmt: skip
    _common_options(show)
    show.set_defaults(func=run_show)

    listing = subparsers.add_parser(
        "list",
        help="the templates of the subscription or of one resource group",
        description="List the image templates of the subscription, or of --resource-group.",
    )
    listing.add_argument(
        "--resource-group", "-g", type=resource_group_name, metavar="RG", help="only this resource group"
    )
    add_connection_arguments(listing, api_version=True)
    add_output_argument(listing)
    listing.set_defaults(func=run_list)

    delete = subparsers.add_parser(
        "delete",
        help="delete a template (and its staging resource group); refuses while a VHD is not copied out",
        description="Delete a template. Azure deletes its staging resource group with it, and any VHD in "
        "it: unless --force, a VHD output not copied out (build --copy-vhd-to) is refused.",
    )
    _common_options(delete)
    delete.add_argument("--force", action="store_true", help="delete even if a VHD output was not copied out")
    delete.add_argument("--no-wait", action="store_true", help="ask for the deletion and return at once")
    delete.set_defaults(func=run_delete)


def _wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout", type=positive_seconds, metavar="SECONDS",
        help="stop waiting after this long (exit 4); the build goes on in Azure",
    )  # fmt: skip
    parser.add_argument(
        "--polling-interval", type=positive_seconds, metavar="SECONDS",
        help="seconds between status polls (default: 30; 0.25 with --emulator)",
    )  # fmt: skip


def _not_found(exc: Exception, args: argparse.Namespace) -> CliError:
    return CliError(f"no template {args.name!r} in resource group {args.resource_group!r}", FAILED)


def _outputs_of(client: ImageBuilderClient, args: argparse.Namespace) -> list[Any]:
    from azure.core.exceptions import ResourceNotFoundError

    try:
        return list(client.list_run_outputs(args.resource_group, args.name))
    except ResourceNotFoundError:
        return []  # never run


def _finish_run(
    client: ImageBuilderClient, args: argparse.Namespace, prog: str, wait: Any, started: float
) -> int:
    """Wait with ``wait(display)``; print the run as ``build`` does; the exit status."""
    from ..progress import ProgressDisplay

    display = ProgressDisplay(stream=sys.stderr)
    try:
        try:
            wait(display)
        finally:
            display.close()
    except KeyboardInterrupt:
        print(f"{prog}: {interrupted_message(args)}", file=sys.stderr)
        return INTERRUPTED
    except Exception as exc:
        name = type(exc).__name__
        template_id = _template_id(client, args)
        if name == "BuildFailedError":
            error = report_failure(client, args, exc, prog)
            if args.output == "json":
                print_json(run_document(template_id, "Failed", [], error=error))
            return FAILED
        if name == "BuildCanceledError":
            print(f"{prog}: the run was cancelled", file=sys.stderr)
            if args.output == "json":
                print_json(run_document(template_id, "Canceled", [], error={"code": "Canceled"}))
            return CANCELLED
        raise
    template = client.get(args.resource_group, args.name)
    status = template.last_run_status
    state = status.run_state if status is not None else None
    text = _state(status)
    if text in _IN_PROGRESS:
        message = timed_out_message(args)
        print(f"{prog}: {message}", file=sys.stderr)
        if args.output == "json":
            print_json(run_document(template.id, state, [], error={"code": "Timeout", "message": message}))
        return TIMED_OUT
    document = run_document(template.id, state, _outputs_of(client, args))
    if args.output == "json":
        print_json(document)
    else:
        sys.stdout.write(f"{args.name}: {document['runState']} in {time.monotonic() - started:.0f} s\n")
        print_outputs_table(document)
    if text == "failed":  # ended before we watched (status --wait on a finished run)
        print(f"{prog}: the last run failed: {status.message if status else ''}".rstrip(), file=sys.stderr)
        return FAILED
    if text == "partiallysucceeded":  # some distributions failed: a failure for a pipeline, as in `build`
        print(
            f"{prog}: the run partially succeeded: {status.message if status else ''}".rstrip(),
            file=sys.stderr,
        )
        return FAILED
    if text == "canceled":
        return CANCELLED
    return OK


def _state(status: Any) -> str:
    """A run status's runState, lower-case ('' when there is none)."""
    state = getattr(status, "run_state", None)
    return str(getattr(state, "value", state) or "").lower()


def _template_id(client: ImageBuilderClient, args: argparse.Namespace) -> str | None:
    try:
        return client.get(args.resource_group, args.name).id
    except Exception:
        return None


def run_run(args: argparse.Namespace) -> int:
    """``run``: start a build and wait for it."""
    from ..progress import Reporter

    started = time.monotonic()
    with image_builder_client(args, polling_interval=args.polling_interval) as client:
        if args.no_wait:
            client.begin_run(args.resource_group, args.name)
            template_id = _template_id(client, args)
            if args.output == "json":
                print_json({"template": template_id, "runState": "Running"})
            else:
                sys.stdout.write(f"{args.name}: build started\n")
            return OK

        def wait(display: Any) -> None:
            reporter = Reporter.create(display, args.name)
            try:
                reporter.phase("running")
                poller = client.begin_run(args.resource_group, args.name, on_status=reporter.status)
                poller.wait(args.timeout)
                if poller.done():
                    status = poller.result()  # raises BuildFailedError / BuildCanceledError
                    if status is not None:
                        reporter.status(status)
                    reporter.phase("done")
            finally:
                reporter.close()

        return _finish_run(client, args, "azimagebuilder run", wait, started)


def run_status(args: argparse.Namespace) -> int:
    """``status``: the template's state; ``--wait`` until its run ends."""
    from azure.core.exceptions import ResourceNotFoundError

    started = time.monotonic()
    with image_builder_client(args, polling_interval=args.polling_interval) as client:
        try:
            template = client.get(args.resource_group, args.name)
        except ResourceNotFoundError as exc:
            raise _not_found(exc, args) from None
        if not args.wait:
            document = status_document(template)
            if args.output == "json":
                print_json(document)
            else:
                _print_status(document)
            return OK
        interval = client.polling_interval

        def wait(display: Any) -> None:
            from ..progress import Reporter

            reporter = Reporter.create(display, args.name)
            deadline = None if args.timeout is None else time.monotonic() + args.timeout
            try:
                current = template
                while True:
                    status = current.last_run_status
                    if status is not None:
                        reporter.status(status)
                    state = str(
                        getattr(status.run_state, "value", status.run_state) if status else ""
                    ).lower()
                    if state not in _IN_PROGRESS:
                        return
                    if deadline is not None and time.monotonic() >= deadline:
                        return
                    time.sleep(
                        interval if deadline is None else max(0.0, min(interval, deadline - time.monotonic()))
                    )
                    current = client.get(args.resource_group, args.name)
            finally:
                reporter.close()

        return _finish_run(client, args, "azimagebuilder status", wait, started)


def _print_status(document: dict[str, Any]) -> None:
    run = document["lastRunStatus"] or {}
    rows = [
        ("template", document["template"]),
        ("provisioningState", document["provisioningState"]),
    ]
    if document["provisioningError"]:
        error = document["provisioningError"]
        rows.append(("provisioningError", f"{error['code']}: {error['message']}"))
    if run:
        rows += [
            ("runState", run["runState"]),
            ("runSubState", run["runSubState"]),
            ("startTime", run["startTime"]),
            ("endTime", run["endTime"]),
            ("message", run["message"]),
        ]
    else:
        rows.append(("runState", "(never run)"))
    print_table(("FIELD", "VALUE"), rows)


def run_cancel(args: argparse.Namespace) -> int:
    """``cancel``: stop the running build."""
    from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

    with image_builder_client(args) as client:
        try:
            poller = client.begin_cancel(args.resource_group, args.name)
        except ResourceNotFoundError as exc:
            raise _not_found(exc, args) from None
        except ResourceExistsError:
            raise CliError(
                f"no build of {args.name!r} is running, so there is nothing to cancel", FAILED
            ) from None
        state = "Canceling"
        if not args.no_wait:
            status = poller.result()
            state = str(getattr(status.run_state, "value", status.run_state)) if status else "Canceled"
        template_id = _template_id(client, args)
    if args.output == "json":
        print_json({"template": template_id, "runState": state})
    else:
        sys.stdout.write(f"{args.name}: {state}\n")
    return OK


def run_outputs(args: argparse.Namespace) -> int:
    """``outputs``: the last run's outputs."""
    from azure.core.exceptions import ResourceNotFoundError

    with image_builder_client(args) as client:
        try:
            template = client.get(args.resource_group, args.name)
        except ResourceNotFoundError as exc:
            raise _not_found(exc, args) from None
        status = template.last_run_status
        state = status.run_state if status is not None else None
        document = run_document(template.id, state, _outputs_of(client, args))
    if args.output == "json":
        print_json(document)
    else:
        print_outputs_table(document)
    return OK


def run_show(args: argparse.Namespace) -> int:
    """``show``: the template as the service answers a GET."""
    from azure.core.exceptions import ResourceNotFoundError

    from .._operations import response_json

    with image_builder_client(args) as client:
        answered: list[Any] = []  # the GET's answer, for `-o json` to print as the service wrote it
        try:
            template = client.get(
                args.resource_group,
                args.name,
                raw_response_hook=lambda pipeline_response: answered.append(pipeline_response.http_response),
            )
        except ResourceNotFoundError:
            raise CliError(
                f"no template {args.name!r} in resource group {args.resource_group!r}", FAILED
            ) from None
        body = response_json(answered[-1])
    if args.output == "json":
        print_json(body)
        return OK
    document = status_document(template)
    rows = [
        ("id", template.id),
        ("location", template.location),
        ("provisioningState", document["provisioningState"]),
        ("runState", (document["lastRunStatus"] or {}).get("runState") or "(never run)"),
        ("source", _source_text(template)),
        ("customize", ", ".join(f"{c.type}:{c.name}" for c in template.customize) or "(none)"),
        ("distribute", ", ".join(f"{d.type}:{d.run_output_name}" for d in template.distribute)),
    ]
    print_table(("FIELD", "VALUE"), rows)
    return OK


def _source_text(template: Any) -> str:
    source = template.source
    parts = [getattr(source, key, None) for key in ("publisher", "offer", "sku", "version")]
    if any(parts):
        return f"{source.type} " + ":".join(str(p) for p in parts if p)
    ident = getattr(source, "image_id", None) or getattr(source, "image_version_id", None)
    return f"{source.type} {ident}" if ident else str(source.type)


def run_list(args: argparse.Namespace) -> int:
    """``list``: the templates."""
    args.name = None
    with image_builder_client(args) as client:
        rows = [list_row(t) for t in client.list(args.resource_group)]
    if args.output == "json":
        print_json(rows)
        return OK
    if not rows:
        sys.stdout.write("(no templates)\n")
        return OK
    print_table(
        ("NAME", "RESOURCE GROUP", "LOCATION", "PROVISIONING", "LAST RUN"),
        [
            (r["name"], r["resourceGroup"], r["location"], r["provisioningState"], r["runState"] or "-")
            for r in rows
        ],
    )
    return OK


def run_delete(args: argparse.Namespace) -> int:
    """``delete``: delete the template (VHD guard unless --force)."""
    from azure.core.exceptions import ResourceNotFoundError

    from .._errors import VhdNotCopiedError

    with image_builder_client(args) as client:
        template_id = _template_id(client, args)
        if template_id is None:
            raise CliError(f"no template {args.name!r} in resource group {args.resource_group!r}", FAILED)
        try:
            poller = client.begin_delete(args.resource_group, args.name, force=args.force)
            if not args.no_wait:
                poller.result()
        except VhdNotCopiedError as exc:
            raise CliError(
                f"{exc}; copy it out first (azimagebuilder build --copy-vhd-to, or "
                "azimagebuilder.resources.copy_vhd_run_output), or pass --force to lose it",
                FAILED,
            ) from None
        except ResourceNotFoundError as exc:
            raise _not_found(exc, args) from None
    state = "Deleting" if args.no_wait else "Deleted"
    if args.output == "json":
        print_json({"template": template_id, "state": state})
    else:
        sys.stdout.write(f"{args.name}: {state.lower()}\n")
    return OK
