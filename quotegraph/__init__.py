"""quotegraph: who said what, about whom, when - and who disputes it.

    >>> import quotegraph
    >>> analysis = quotegraph.analyze(text, published="2023-01-31")
    >>> analysis.to_dict()
"""

from __future__ import annotations

from .model import Analysis, Entity, Span, Statement

__version__ = "0.1.0"
__all__ = ["analyze", "analyze_many", "Analysis", "Entity", "Span", "Statement", "__version__"]


def __getattr__(name: str):
    # The analyser loads spaCy: imported on first use, so the store's commands start in a blink.
    if name in ("analyze", "analyze_many"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'quotegraph' has no attribute {name!r}")
