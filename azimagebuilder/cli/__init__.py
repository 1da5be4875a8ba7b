"""The ``azimagebuilder`` command: a thin layer that parses arguments and calls the library.

Each subcommand lives in its own module here with a ``register(subparsers)`` function; this module
only wires them together, so ``azimagebuilder --help`` costs no Azure import.

Example:
    >>> from azimagebuilder.cli import main
    >>> main(["--version"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from .._version import __version__
from ._common import EXIT_CODES, FAILED, INTERRUPTED, USAGE, explain

# Order is the order in `--help`.
_SUBCOMMANDS = ("_demo", "_build", "_templates", "_validate", "_upgrade", "_emulator", "_logs", "_preflight")


class _Parser(argparse.ArgumentParser):
    """argparse with a short complaint: one line naming the problem and where help is (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = _Parser(
        prog="azimagebuilder",
        description="Azure VM Image Builder templates, builds and a local emulator.",
        epilog="Exit codes: " + "; ".join(f"{code} {meaning}" for code, _, meaning in EXIT_CODES) + ".",
    )
    parser.add_argument("--version", action="version", version=f"azimagebuilder {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in _SUBCOMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(subparsers)
    return parser


def _command_names(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def _quiet_azure_logging() -> None:
    """Keep azure-identity's credential-chain warnings (a dozen lines per attempt) off the terminal.

    The command says in one line when no credential was found; ``AZURE_LOG_LEVEL``-style debugging is
    still possible by configuring logging before calling :func:`main`.
    """
    azure = logging.getLogger("azure")
    if not azure.handlers:
        azure.addHandler(logging.NullHandler())
        azure.propagate = False


def _silence_stdout() -> None:
    """After a broken pipe (``azimagebuilder schema | head``): send what is left nowhere, quietly."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _print_safely() -> None:
    """Let stdout and stderr print any text in any locale: what the terminal's encoding cannot show (a
    lone surrogate, an accent under ``LANG=C``) is written as a backslash escape, never a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a closed or detached stream
                reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (the table in :mod:`azimagebuilder.cli._common`).

    Never ends in a traceback: whatever a command raises becomes one line on stderr and an exit code.
    """
    _quiet_azure_logging()
    _print_safely()
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        names = ", ".join(_command_names(parser))
        print(f"azimagebuilder: error: give a COMMAND ({names}); see azimagebuilder --help", file=sys.stderr)
        return USAGE
    prog = f"azimagebuilder {args.command}"
    try:
        status = int(func(args))
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        _silence_stdout()
        return FAILED
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception as exc:  # the last guard: one line, never a traceback
        message, status = explain(exc, getattr(args, "base_url", None))
        with contextlib.suppress(OSError, ValueError):
            print(f"{prog}: {message}", file=sys.stderr)
        return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
