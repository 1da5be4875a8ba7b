"""The ``azimagebuilder`` command: a thin layer that parses arguments and calls the library.

Each subcommand lives in its own module here with a ``register(subparsers)`` function; this module
only wires them together, so ``azimagebuilder --help`` costs no Azure import.

Example:
    >>> from azimagebuilder.cli import main
    >>> main(["--version"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .._version import __version__

# Order is the order in `--help`.
_SUBCOMMANDS = ("_demo", "_validate", "_emulator", "_logs", "_preflight")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="azimagebuilder",
        description="Azure VM Image Builder templates, builds and a local emulator.",
    )
    parser.add_argument("--version", action="version", version=f"azimagebuilder {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _SUBCOMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 problems found, 2 usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
