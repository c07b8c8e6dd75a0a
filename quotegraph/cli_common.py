"""What every ``quotegraph`` command shares: exit statuses, the one-line error, the output format's
default, and subcommands whose help ends with an example to run (as sqlite-utils' do)."""

from __future__ import annotations

import argparse
import sys

EXIT_OK = 0  # done
EXIT_SOME_FAILED = 1  # done, but some documents could not be read or analysed (each said on stderr)
EXIT_USAGE = 2  # nothing done: the command or its input is wrong (said in one line)
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells count it


class UsageError(Exception):
    """A user error: one line on stderr, exit status 2."""


def die(message: str, status: int = EXIT_USAGE) -> int:
    print(f"quotegraph: {message}", file=sys.stderr)
    return status


def output_format(args) -> str:
    """``--format`` as given; by default a table for a person at a terminal, JSON for a program."""
    return args.format or ("table" if sys.stdout.isatty() else "json")


def command(sub, name: str, help: str, example: str, description: str | None = None) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` ends with ``example``, a command line that runs as written
    (from the repository root, after the README's first command)."""
    return sub.add_parser(name, help=help, description=description or help[0].upper() + help[1:] + ".",
                          epilog=f"example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter)


def add_mode(parser: argparse.ArgumentParser) -> None:
    """``--mode``, for the commands that analyse text. The mode is handed to every worker process
    through $QUOTEGRAPH_MODE (cli.main sets it)."""
    from .modes import MODES

    parser.add_argument("--mode", choices=MODES, default=None,
                        help="fast: the rules alone (default); accurate: with the attribution tagger, more "
                             "statements found, about a third of the speed (default: $QUOTEGRAPH_MODE, else fast)")
