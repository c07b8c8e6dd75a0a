"""The analysis modes, named here where every layer can read them without loading spaCy.

- ``fast`` (the default): the rules and the small learned models over spaCy's parse.
- ``accurate``: the attribution tagger as well (tagger.py), which finds more of what annotators mark,
  at about a third of the speed (README, Speed).

A mode is chosen by ``analyze(..., mode=...)``, ``--mode`` on the commands that analyse, or
$QUOTEGRAPH_MODE, which worker processes inherit.
"""

from __future__ import annotations

import os

MODES = ("fast", "accurate")
VARIABLE = "QUOTEGRAPH_MODE"


def current(mode: str | None = None) -> str:
    """``mode``, else $QUOTEGRAPH_MODE, else fast; ValueError for a name that is not a mode."""
    mode = mode or os.environ.get(VARIABLE) or "fast"
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: use {' or '.join(MODES)}")
    return mode
