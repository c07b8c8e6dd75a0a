"""Every command's help ends with an example, and the examples run as written (as sqlite-utils' do)."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

import pytest

from conftest import run_cli
from quotegraph.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
# Examples that need what a test cannot give: a server that runs until stopped, the PolNeAR data.
NOT_RUN = {"serve", "evaluate", "train"}


def subcommands(parser: argparse.ArgumentParser, path=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from subcommands(sub, (*path, name))


def example_of(parser: argparse.ArgumentParser) -> str:
    help_text = parser.format_help().rstrip()
    head, _, example = help_text.rpartition("\nexample:\n")
    assert head and example.startswith("  quotegraph "), help_text[-300:]
    return example.strip()


def test_every_command_ends_its_help_with_an_example_of_itself():
    commands = list(subcommands(build_parser()))
    assert len(commands) >= 15
    for path, parser in commands:
        words = shlex.split(example_of(parser))
        assert words[1:1 + len(path)] == list(path), (path, words)


@pytest.mark.slow
def test_the_examples_run_as_written(tmp_path):
    """In a folder holding the bundled example, one store for all: ingest first, then what asks it."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    order = ["extract", "ingest", "said", "search", "disputes", "claims", "claim", "claims merge", "claims split",
             "entities", "entities show", "entities merge", "entities split", "export", "batch", "load"]
    examples = {" ".join(path): example_of(parser) for path, parser in subcommands(build_parser())}
    assert set(examples) - NOT_RUN == set(order)
    env = {"QUOTEGRAPH_DB": str(tmp_path / "examples.db")}
    for name in order:
        r = run_cli(*shlex.split(examples[name])[1:], cwd=tmp_path, env=env, timeout=300)
        assert r.returncode == 0, f"{examples[name]}\n{r.stderr[-2000:]}"
