"""quotegraph: who said what, about whom, when - and who disputes it.

    >>> import quotegraph
    >>> analysis = quotegraph.analyze(text, published="2023-01-31")
    >>> analysis.to_dict()
"""

from __future__ import annotations

from .api import analyze, analyze_many
from .model import Analysis, Entity, Span, Statement

__version__ = "0.1.0"
__all__ = ["analyze", "analyze_many", "Analysis", "Entity", "Span", "Statement", "__version__"]
