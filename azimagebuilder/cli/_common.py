"""What every subcommand shares: the exit codes, the one-line error messages, and checked number options.

Exit codes (the same for every command; docs/cli.md prints this table):

====  ==============  ===========================================================================
code  name            meaning
====  ==============  ===========================================================================
0     ``OK``          success
1     ``FAILED``      the build or the check failed, or Azure could not be reached or asked
2     ``USAGE``       usage error: an unknown option, a missing or malformed value
3     ``INVALID``     the template is invalid (``validate`` finds errors; nothing was sent)
4     ``TIMED_OUT``   ``--timeout`` ran out; the build goes on in Azure
5     ``CANCELLED``   the run was cancelled
130   ``INTERRUPTED`` Ctrl-C
====  ==============  ===========================================================================

:func:`explain` turns whatever a command raised into one line and one of these codes, so no command ever
ends in a traceback.

Example:
    >>> explain(CliError("no such template", FAILED))
    ('no such template', 1)
    >>> explain(KeyboardInterrupt())[1]
    130
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from typing import Any

__all__ = [
    "CANCELLED",
    "EXIT_CODES",
    "FAILED",
    "INTERRUPTED",
    "INVALID",
    "NO_CREDENTIAL",
    "OK",
    "TIMED_OUT",
    "USAGE",
    "CliError",
    "explain",
    "number",
    "port",
]

OK = 0
FAILED = 1
USAGE = 2
INVALID = 3
TIMED_OUT = 4
CANCELLED = 5
INTERRUPTED = 130

#: (code, name, meaning) for every exit code, in the order docs/cli.md lists them.
EXIT_CODES: tuple[tuple[int, str, str], ...] = (
    (OK, "OK", "success"),
    (FAILED, "FAILED", "the build or the check failed, or Azure could not be reached or asked"),
    (USAGE, "USAGE", "usage error: an unknown option, a missing or malformed value"),
    (INVALID, "INVALID", "the template is invalid (nothing was sent to Azure)"),
    (TIMED_OUT, "TIMED_OUT", "--timeout ran out; the build goes on in Azure"),
    (CANCELLED, "CANCELLED", "the run was cancelled"),
    (INTERRUPTED, "INTERRUPTED", "interrupted (Ctrl-C)"),
)

#: What to say when azure-identity finds no credential (its own report is dozens of lines).
NO_CREDENTIAL = (
    "no Azure credential found: run `az login`, set AZURE_CLIENT_ID, AZURE_TENANT_ID and "
    "AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE), or run where a managed identity is available"
)

_MAX_MESSAGE = 400

_NETWORK_REASONS = (
    "Connection refused",
    "Name or service not known",
    "No route to host",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Connection reset",
)


class CliError(Exception):
    """A problem a command reports as one line, with its exit code.

    Example:
        >>> str(CliError("--timeout must be positive", USAGE)), CliError("x", USAGE).status
        ('--timeout must be positive', 2)
    """

    def __init__(self, message: str, status: int = FAILED) -> None:
        super().__init__(message)
        self.status = status


def one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    """``text`` on one line (whitespace runs collapsed), cut to ``limit`` characters.

    Example:
        >>> one_line("a\\n  b\\tc")
        'a b c'
    """
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


def _first_line(text: str | None) -> str:
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[0] if lines else ""


def _network_reason(exc: BaseException) -> str:
    """The useful end of a connection error (urllib3 wraps it in object reprs)."""
    text = " ".join(str(getattr(exc, "message", None) or exc).split())
    text = re.sub(r"<[^>]*object at 0x[0-9a-f]+>:?\s*", "", text)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return "the server's TLS certificate is not trusted (for the emulator give --ca-cert its ca_cert)"
    if "timed out" in text.lower():
        return "the connection timed out"
    for errno_text in _NETWORK_REASONS:
        if errno_text in text:
            return errno_text.lower()
    return one_line(text, 160)


def explain(exc: BaseException, where: str | None = None) -> tuple[str, int]:
    """One line that names the problem and what to do, and the exit code, for any exception.

    ``where`` names the endpoint the command talks to, for messages about unreachable services.
    """
    if isinstance(exc, CliError):
        return one_line(str(exc)), exc.status
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", INTERRUPTED
    name = type(exc).__name__
    if name == "BuildCanceledError":
        return one_line(str(exc)) or "the run was cancelled", CANCELLED
    if name == "BuildTimeoutError":
        return one_line(str(exc)), TIMED_OUT
    if name == "TemplateValidationError":
        errors = list(getattr(exc, "errors", ()))
        first = errors[0] if errors else None
        detail = f"; first: {first.path or '<template>'}: {first.message}" if first is not None else ""
        return one_line(f"the template is invalid ({len(errors)} error(s){detail})"), INVALID
    if name == "VhdNotCopiedError":
        names = ", ".join(getattr(exc, "run_output_names", ())) or "?"
        return one_line(
            f"template {getattr(exc, 'template_name', '?')} has VHD output(s) not copied out ({names}); "
            "deleting it deletes them: copy them out first (azimagebuilder build --copy-vhd-to URL), or pass "
            "--force to lose them"
        ), FAILED
    if name in ("TemplateExistsError", "VhdCopyError", "LogNotFoundError"):
        return one_line(str(exc)), FAILED
    try:
        from azure.core import exceptions as core
    except ImportError:  # pragma: no cover - azure-core is a dependency
        core = None  # type: ignore[assignment]
    if core is not None:
        if isinstance(exc, core.ClientAuthenticationError):
            response = getattr(exc, "response", None)
            if response is None:  # raised by the credential, not by an answer
                return NO_CREDENTIAL, FAILED
            return one_line(
                f"Azure refused the credential ({exc.status_code}): {_first_line(exc.message)}; "
                "check the signed-in identity and its roles"
            ), FAILED
        if isinstance(exc, core.ResourceNotFoundError):
            return one_line(f"not found: {_first_line(exc.message)}"), FAILED
        if isinstance(exc, core.HttpResponseError):
            code = getattr(getattr(exc, "error", None), "code", None) or getattr(exc, "error_code", None)
            status = f"{exc.status_code} {code}" if code else f"{exc.status_code}"
            return one_line(f"Azure answered {status}: {_first_line(exc.message)}"), FAILED
        if isinstance(exc, (core.ServiceRequestError, core.ServiceResponseError)):
            target = f" {where}" if where else ""
            return one_line(
                f"could not reach{target}: {_network_reason(exc)}; check --base-url, the network and any "
                "proxy"
            ), FAILED
        if isinstance(exc, core.AzureError):
            return one_line(f"Azure call failed: {_first_line(exc.message)}"), FAILED
    if isinstance(exc, BrokenPipeError):
        return "the output was closed early", FAILED
    if isinstance(exc, FileNotFoundError):
        return one_line(f"no such file: {exc.filename}"), USAGE
    if isinstance(exc, PermissionError):
        return one_line(f"permission denied: {exc.filename}"), FAILED
    if isinstance(exc, OSError):
        return one_line(f"{exc.strerror or exc}"), FAILED
    return one_line(f"unexpected error ({name}: {exc}); please report it"), FAILED


def number(
    kind: Callable[[str], Any] = float,
    *,
    minimum: float | None = 0,
    maximum: float | None = None,
    above: float | None = None,
) -> Callable[[str], Any]:
    """An argparse ``type=`` for a finite number within bounds (``above``: strictly greater than).

    Example:
        >>> number(float, minimum=0)("2.5")
        2.5
        >>> number(int, minimum=1)("0")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: 0 is too small: at least 1
    """

    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except (TypeError, ValueError):
            what = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if above is not None and not value > above:
            raise argparse.ArgumentTypeError(f"{text} is too small: more than {above:g}")
        if minimum is not None and value < minimum:
            raise argparse.ArgumentTypeError(f"{text} is too small: at least {minimum:g}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"{text} is too large: at most {maximum:g}")
        return value

    convert.__name__ = kind.__name__  # argparse names the type in its messages
    return convert


#: A TCP port: 0 (any free port) to 65535.
port = number(int, minimum=0, maximum=65535)

#: Seconds for durations and intervals: 0 to a week.
seconds = number(float, minimum=0, maximum=7 * 24 * 3600)

#: Seconds that must be more than zero (polling intervals, timeouts).
positive_seconds = number(float, above=0, maximum=7 * 24 * 3600)
