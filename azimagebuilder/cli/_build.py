"""``azimagebuilder build FILE -g RG -n NAME``: validate, upload scripts, create or reuse, run, report.

The one command a pipeline needs: it checks the template (exit 3 when invalid, nothing sent), uploads the
local scripts the template names (``--scripts-account``; checksums computed from the uploaded bytes),
creates the template or reuses an identical one (``--replace`` recreates a changed one), runs it with
``client.build()``'s progress display (on stderr), and prints the run outputs: a table, or with ``--output
json`` one JSON object on stdout. On failure it prints the service's error code and the last lines of
customization.log. ``--copy-vhd-to`` copies each VHD out of the staging account (verified), and
``--delete-after`` deletes the template at the end.

Exit codes: the table in :mod:`._common` (0 built, 1 failed, 2 usage, 3 invalid, 4 timed out, 5 cancelled,
130 interrupted).

Example:
    >>> from azimagebuilder.cli import main
    >>> main(["build", "template.json", "-g", "images", "-n", "ubuntu", "--output", "json"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._azure import (
    add_connection_arguments,
    image_builder_client,
    read_connection,
    resource_group_name,
    template_name,
)
from ._common import (
    CANCELLED,
    FAILED,
    INTERRUPTED,
    INVALID,
    OK,
    TIMED_OUT,
    CliError,
    explain,
    positive_seconds,
    seconds,
)
from ._output import add_output_argument, print_json, print_outputs_table, run_document

if TYPE_CHECKING:
    from .._client import ImageBuilderClient

__all__ = ["register", "run_build"]

#: Lines of customization.log shown when a build fails.
LOG_TAIL = 30

_SCRIPT_FIELDS = {"shell": "scriptUri", "powershell": "scriptUri", "file": "sourceUri"}


def add_target_arguments(parser: argparse.ArgumentParser, *, name_required: bool = True) -> None:
    """``--resource-group/-g`` and ``--name/-n``, checked as Azure checks them."""
    parser.add_argument(
        "--resource-group", "-g", required=True, type=resource_group_name, metavar="RG",
        help="the template's resource group",
    )  # fmt: skip
    parser.add_argument(
        "--name", "-n", required=name_required, type=template_name, metavar="NAME", help="the template's name"
    )


def register(subparsers: Any) -> None:
    """Add the ``build`` subcommand."""
    parser = subparsers.add_parser(
        "build",
        help="validate, upload scripts, create (or reuse) and run a template; print its outputs",
        description=(
            "Build an image from a template file: check it, upload the local scripts it names, create the "
            "template (or reuse an identical one), run it with progress on stderr, and print the run "
            "outputs (--output json: one JSON object on stdout). Exit 0 built, 1 failed, 2 usage, "
            "3 template invalid, 4 timed out, 5 cancelled, 130 interrupted."
        ),
    )
    parser.add_argument(
        "file", metavar="FILE", help="the template: a bare template, resource body or deployment"
    )
    add_target_arguments(parser)
    add_connection_arguments(parser, api_version=True)
    parser.add_argument(
        "--resource-name", default=None, help="which imageTemplates resource of a deployment template"
    )
    parser.add_argument(
        "--parameters", metavar="FILE", default=None,
        help="parameter values (an ARM deployment parameters file or a JSON object of values)",
    )  # fmt: skip
    parser.add_argument(
        "--set", dest="assignments", action="append", default=[], metavar="NAME=VALUE",
        help="one parameter value (repeatable; wins over --parameters)",
    )  # fmt: skip
    parser.add_argument(
        "--replace", action="store_true", help="delete and recreate a different template of this name"
    )
    parser.add_argument(
        "--force", action="store_true",
        help="with --replace or --delete-after: delete the template even if a VHD output was not copied out",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=positive_seconds, metavar="SECONDS",
        help="stop waiting after this long (exit 4); the build goes on in Azure",
    )  # fmt: skip
    parser.add_argument(
        "--scripts-account", metavar="NAME|URL",
        help="storage account (name or blob endpoint) to upload the local scripts the template names to",
    )  # fmt: skip
    parser.add_argument(
        "--scripts-container", default="scripts", metavar="NAME",
        help="container for the uploaded scripts (default: scripts; created when missing)",
    )  # fmt: skip
    parser.add_argument(
        "--copy-vhd-to", metavar="CONTAINER_URL",
        help="copy each VHD output to this container (verified; a SAS in the URL, or your credential)",
    )  # fmt: skip
    parser.add_argument(
        "--delete-after", action="store_true",
        help="delete the template at the end (refused while a VHD output is not copied out)",
    )  # fmt: skip
    parser.add_argument(
        "--polling-interval", type=positive_seconds, metavar="SECONDS",
        help="seconds between status polls (default: 30; 0.25 with --emulator)",
    )  # fmt: skip
    parser.add_argument(
        "--emulator-build-duration", type=seconds, default=1.0, metavar="SECONDS",
        help="with --emulator in this process: seconds its builds take (default: 1)",
    )  # fmt: skip
    parser.add_argument(
        "--emulator-scenario", metavar="SCENARIO",
        help="with --emulator in this process: how its builds end (e.g. fail:Customizing; docs/emulator.md)",
    )  # fmt: skip
    add_output_argument(parser)
    parser.set_defaults(func=run_build)


# -- the template and its scripts ---------------------------------------------------------------------------
def _is_local(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and "://" not in value and not value.startswith("[")


def _walk(value: Any, path: str) -> Any:
    """Every customizer-shaped dict in a JSON document (any shape: bare, resource body, deployment)."""
    if isinstance(value, dict):
        kind = value.get("type")
        if isinstance(kind, str) and kind.lower() in _SCRIPT_FIELDS:
            yield path, value, _SCRIPT_FIELDS[kind.lower()]
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def local_scripts(document: Any) -> list[tuple[str, dict[str, Any], str]]:
    """``(JSON path, customizer, field)`` of every customizer whose script or source is a local path."""
    return [(p, step, field) for p, step, field in _walk(document, "") if _is_local(step.get(field))]


def _account_url(args: argparse.Namespace, base_url: str) -> str:
    account = str(args.scripts_account).rstrip("/")
    if "://" in account:
        return account
    if args.emulator:
        return f"{base_url}/{account.lower()}"  # the emulator serves any account on its own address
    return f"https://{account.lower()}.blob.core.windows.net"


def upload_local_scripts(
    document: Any, base_dir: Path, args: argparse.Namespace, credential: Any, pipeline: dict[str, Any]
) -> int:
    """Upload the local scripts the document names and point it at them (with checksums); how many."""
    from ..resources.scripts import sha256_of_file, upload_file, upload_folder

    found = local_scripts(document)
    if not found:
        return 0
    if not args.scripts_account:
        where, step, field = found[0]
        raise CliError(
            f"{where}.{field}: {step[field]!r} is a local file: give --scripts-account (and "
            "--scripts-container) to upload it, or use a URL",
            INVALID,
        )
    container = f"{_account_url(args, args.resolved_connection.base_url)}/{args.scripts_container}"
    for where, step, field in found:
        local = (base_dir / step[field]).resolve()
        if not local.exists():
            raise CliError(f"{where}.{field}: no such file or folder {local}", INVALID)
        # Each content gets its own blob, so a template built earlier keeps what it was built with.
        if local.is_dir():
            made = upload_folder(
                local, container, credential=credential, create_container=True,
                blob_name=f"{args.name}/{local.name}.tar.gz", overwrite=True, **pipeline,
            )  # fmt: skip
        else:
            digest = sha256_of_file(local)
            made = upload_file(
                local, container, destination="/tmp/" + local.name, credential=credential,
                create_container=True, blob_name=f"{args.name}/{digest[:16]}/{local.name}", **pipeline,
            )  # fmt: skip
        step[field] = made.source_uri
        step["sha256Checksum"] = made.sha256_checksum
        print(f"uploaded {local} to {made.source_uri}", file=sys.stderr)
    return len(found)


def read_document(args: argparse.Namespace) -> Any:
    """The template file's JSON (any shape); :class:`CliError` (exit 3) when it cannot be read."""
    from ..loading._read import read_source

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{args.file}: no such file", INVALID)
    document, problems, _ = read_source(str(path))
    errors = [p for p in problems if p.severity == "error"]
    if errors or document is None:
        first = errors[0] if errors else None
        raise CliError(f"{args.file}: {first.message if first else 'not a template'}", INVALID)
    return document


def parameters_of(args: argparse.Namespace) -> Any:
    """``--parameters`` and ``--set``; :class:`CliError` (exit 2) on bad values."""
    from ._validate import UsageError as ParameterError
    from ._validate import parameter_values

    try:
        return parameter_values(args)
    except ParameterError as exc:
        raise CliError(str(exc), 2) from None


def check_template(document: Any, args: argparse.Namespace, values: Any, subscription: str) -> Any:
    """Fill and check the document at ``--api-version``; the ImageTemplate, or TemplateValidationError."""
    from .._errors import TemplateValidationError
    from ..loading import TemplateWarning, load_template
    from ..validation import validate

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TemplateWarning)
        try:
            template = load_template(
                document,
                resource_name=args.resource_name,
                parameters=values,
                subscription_id=subscription,
                resource_group=args.resource_group,
            )
        except TemplateValidationError as exc:
            _print_problems("error", exc.errors)
            raise
    for warning in caught:
        for line in str(warning.message).splitlines()[1:] or [str(warning.message)]:
            print(f"  warning: {line.strip()}", file=sys.stderr)
    report = validate(template, api_version=args.api_version)
    _print_problems("warning", report.warnings)
    if not report.ok:
        _print_problems("error", report.errors)
        raise TemplateValidationError(report.errors, report.warnings)
    return template


def _print_problems(severity: str, problems: Any) -> None:
    for problem in problems:
        where = problem.path or "<template>"
        print(f"  {severity}: {where}: {problem.message} [{problem.code}]", file=sys.stderr)


def _scope_subscription(args: argparse.Namespace) -> str | None:
    """The subscription the build will use, known before connecting (None when it is not yet)."""
    from ..emulator._emulator import DEFAULT_SUBSCRIPTION

    arm = read_connection(args, in_process_emulator=True)
    if arm.subscription is None and args.emulator and not args.base_url:
        return DEFAULT_SUBSCRIPTION  # the emulator this command starts
    return arm.subscription


# -- after the run ----------------------------------------------------------------------------------------
def log_tail(client: ImageBuilderClient, args: argparse.Namespace, lines: int = LOG_TAIL) -> list[str]:
    """The last lines of the template's newest customization.log (empty when it cannot be read)."""
    from ..resources.logs import download_customization_log, find_log_location

    arm = args.resolved_connection
    credential = args.resolved_credential
    try:
        location = find_log_location(
            credential,
            arm.subscription,
            args.resource_group,
            args.name,
            template=client.get(args.resource_group, args.name),
            base_url=arm.base_url,
            **arm.pipeline,
        )
        text = download_customization_log(location, credential=credential, **arm.pipeline)
    except Exception as exc:  # the log is a help, not the result: say why it is missing
        print(f"(customization.log could not be read: {explain(exc)[0]})", file=sys.stderr)
        return []
    return text.splitlines()[-lines:]


def report_failure(
    client: ImageBuilderClient, args: argparse.Namespace, exc: Any, prog: str
) -> dict[str, Any]:
    """Print a failed run's code, message and log tail on stderr; return its ``error`` JSON."""
    code = getattr(exc, "code", None) or "BuildFailed"
    message = " ".join(str(getattr(exc, "service_message", None) or exc).split())
    print(f"{prog}: the build failed: {code}: {message}", file=sys.stderr)
    tail = log_tail(client, args)
    if tail:
        print(f"--- last {len(tail)} lines of customization.log ---", file=sys.stderr)
        for line in tail:
            print(line, file=sys.stderr)
        print("--- end of customization.log ---", file=sys.stderr)
    hint = getattr(exc, "log_hint", None)
    if hint and not tail:
        print(hint, file=sys.stderr)
    return {"code": code, "message": message}


def copy_vhds(client: ImageBuilderClient, args: argparse.Namespace, outputs: Any) -> dict[str, str]:
    """Copy every VHD output to ``--copy-vhd-to`` (verified, and tagged on the template); name -> URL."""
    from ..resources.vhd import copy_vhd_run_output

    arm = args.resolved_connection
    copied: dict[str, str] = {}
    for output in outputs:
        if not output.artifact_uri:
            continue
        print(f"copying VHD {output.name} to {args.copy_vhd_to} ...", file=sys.stderr)
        result = copy_vhd_run_output(
            client,
            args.resource_group,
            args.name,
            output.name,
            args.copy_vhd_to,
            source_credential=args.resolved_credential,
            destination_credential=args.resolved_credential,
            poll_interval=2.0 if not args.emulator else 0.2,
            **arm.pipeline,
        )
        print(f"  copied and verified: {result.size} bytes, MD5 {result.md5_base64}", file=sys.stderr)
        copied[str(output.name)] = result.destination_url
    return copied


def interrupted_message(args: argparse.Namespace) -> str:
    """What to say on Ctrl-C: the build goes on, and how to follow or cancel it."""
    target = f"-g {args.resource_group} -n {args.name}"
    return (
        f"interrupted: the build of {args.name} goes on in Azure; follow it with `azimagebuilder status "
        f"{target} --wait`, or stop it with `azimagebuilder cancel {target}`"
    )


def timed_out_message(args: argparse.Namespace) -> str:
    """What to say when ``--timeout`` runs out: the build goes on, and how to wait or cancel."""
    target = f"-g {args.resource_group} -n {args.name}"
    return (
        f"the build of {args.name} did not finish within {args.timeout:g} s; it goes on in Azure: wait "
        f"with `azimagebuilder status {target} --wait`, or stop it with `azimagebuilder cancel {target}`"
    )


def run_build(args: argparse.Namespace) -> int:
    """Build the image; print the outputs; return the exit status."""
    from .._errors import TemplateValidationError
    from ..progress import ProgressDisplay

    prog = "azimagebuilder build"
    if args.copy_vhd_to and "://" not in args.copy_vhd_to:
        raise CliError(f"--copy-vhd-to {args.copy_vhd_to}: give the container's URL (https://...)", 2)
    started = time.monotonic()
    document = read_document(args)
    values = parameters_of(args)
    template = None
    # A template without local scripts is checked before anything is asked of Azure (a credential included).
    subscription = _scope_subscription(args)
    if not local_scripts(document) and subscription is not None:
        try:
            template = check_template(document, args, values, subscription)
        except TemplateValidationError as exc:
            raise CliError(explain(exc)[0], INVALID) from None
    with image_builder_client(args, polling_interval=args.polling_interval) as client:
        arm = args.resolved_connection
        if template is None:
            upload_local_scripts(
                document, Path(args.file).parent, args, args.resolved_credential, arm.pipeline
            )
            try:
                template = check_template(document, args, values, arm.subscription)
            except TemplateValidationError as exc:
                raise CliError(explain(exc)[0], INVALID) from None
        display = ProgressDisplay(stream=sys.stderr)
        try:
            result = _build(client, args, template, display)
        except KeyboardInterrupt:
            display.close()
            print(f"{prog}: {interrupted_message(args)}", file=sys.stderr)
            return INTERRUPTED
        except Exception as exc:
            display.close()
            return _after_error(client, args, exc, prog)
        display.close()
        copied = copy_vhds(client, args, result.outputs) if args.copy_vhd_to else {}
        state = result.run_status.run_state if result.run_status else None
        document = run_document(result.template.id, state, result.outputs, copied=copied)
        _print_run(document, args, time.monotonic() - started)
        if args.delete_after and result.succeeded:
            client.begin_delete(args.resource_group, args.name, force=args.force).result()
            print(f"deleted template {args.name}", file=sys.stderr)
        elif args.delete_after:  # kept, with its staging group's customization.log, to see what failed
            print(f"kept template {args.name}: the build did not fully succeed", file=sys.stderr)
    return OK if result.succeeded else FAILED


class _WithoutInterruptLine(io.TextIOBase):
    """stderr without ``client.build()``'s "Interrupted: ..." line (which names the Python calls)."""

    def __init__(self, target: Any) -> None:
        self._target = target

    def write(self, text: str) -> int:
        if text.startswith("Interrupted"):
            return len(text)
        return int(self._target.write(text) or 0)

    def flush(self) -> None:
        self._target.flush()


def _build(client: ImageBuilderClient, args: argparse.Namespace, template: Any, display: Any) -> Any:
    """``client.build()``; with ``--replace --force``, a template whose VHDs were not copied is replaced."""
    from .._errors import VhdNotCopiedError

    def build() -> Any:
        # On Ctrl-C, build() prints its own line, for Python callers; the command prints one for the shell.
        with contextlib.redirect_stderr(_WithoutInterruptLine(sys.stderr)):
            return client.build(
                args.resource_group, args.name, template, replace=args.replace, progress=display,
                timeout=args.timeout,
            )  # fmt: skip

    try:
        return build()
    except VhdNotCopiedError:
        if not (args.replace and args.force):
            raise
    print(f"deleting the old template {args.name} and its VHD output(s) (--force)", file=sys.stderr)
    client.begin_delete(args.resource_group, args.name, force=True).result()
    return build()


def _after_error(client: ImageBuilderClient, args: argparse.Namespace, exc: Exception, prog: str) -> int:
    name = type(exc).__name__
    if name not in ("BuildFailedError", "BuildCanceledError", "BuildTimeoutError"):
        if name == "TemplateExistsError":
            raise CliError(f"{explain(exc)[0]} (pass --replace to recreate it)", FAILED) from None
        raise exc
    template_id = None
    with contextlib.suppress(Exception):
        template_id = client.get(args.resource_group, args.name).id
    if name == "BuildFailedError":
        error = report_failure(client, args, exc, prog)
        state, status = "Failed", FAILED
    elif name == "BuildCanceledError":
        print(f"{prog}: the run was cancelled", file=sys.stderr)
        error, state, status = {"code": "Canceled", "message": explain(exc)[0]}, "Canceled", CANCELLED
    else:
        message = timed_out_message(args)
        print(f"{prog}: {message}", file=sys.stderr)
        error, state, status = {"code": "Timeout", "message": message}, "Running", TIMED_OUT
    if args.output == "json":
        print_json(run_document(template_id, state, [], error=error))
    return status


def _print_run(document: dict[str, Any], args: argparse.Namespace, elapsed: float) -> None:
    if args.output == "json":
        print_json(document)
        return
    sys.stdout.write(f"{args.name}: {document['runState']} in {elapsed:.0f} s ({document['template']})\n")
    print_outputs_table(document)
