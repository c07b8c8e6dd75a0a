"""Analysing many documents: in this process for a few, on all cores for many.

Each worker process loads the spaCy pipeline once. Results come back in input order.
A document that fails is reported as a Failure and the others go on.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import sys
from typing import Iterable, Iterator

from .io import Document, Failure
from .model import Analysis

# Below this many documents, starting workers (a second or two each) costs more than it saves.
MIN_DOCUMENTS_FOR_WORKERS = 8


def default_jobs() -> int:
    """All the cores this process may use, or $QUOTEGRAPH_JOBS."""
    env = os.environ.get("QUOTEGRAPH_JOBS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def analyze_one(doc: Document, mode: str | None = None) -> Analysis | Failure:
    from .api import InputError, analyze
    from .sentences import ModelError

    try:
        # no size limit here: the reader checked the document against the command's (ingest --max-mb)
        return analyze(doc.text, published=doc.published, id=doc.id, max_bytes=None, mode=mode)
    except InputError as e:  # says what is wrong in words a user can act on
        return Failure(doc.id, str(e))
    except ModelError:  # no document can be analysed: said once, by the command
        raise
    except Exception as e:  # one bad document must never stop a batch
        return Failure(doc.id, f"could not be analysed ({type(e).__name__}: {e})")


def _init_worker() -> None:
    from . import nlp

    nlp.load()


def analyze_results(documents: Iterable[Document], jobs: int | None = None) -> Iterator[Analysis | Failure]:
    """One Analysis or Failure per document, in input order."""
    jobs = jobs or default_jobs()
    documents = iter(documents)
    head = list(itertools.islice(documents, MIN_DOCUMENTS_FOR_WORKERS))
    stream = itertools.chain(head, documents)
    if jobs == 1 or len(head) < MIN_DOCUMENTS_FOR_WORKERS:
        yield from map(analyze_one, stream)
        return
    context = multiprocessing.get_context("spawn" if sys.platform == "darwin" else "fork")
    with context.Pool(jobs, initializer=_init_worker) as pool:
        yield from pool.imap(analyze_one, stream, chunksize=2)


def analyze_documents(documents: Iterable[Document], jobs: int | None = None,
                      failures: list[Failure] | None = None) -> Iterator[Analysis]:
    """The analyses of the documents that could be analysed; each failure is said on standard error
    and added to ``failures``."""
    for r in analyze_results(documents, jobs):
        if isinstance(r, Failure):
            print(f"quotegraph: skipped {r}", file=sys.stderr)
            if failures is not None:
                failures.append(r)
        else:
            yield r
