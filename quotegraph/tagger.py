"""The attribution tagger: which words are a source, a cue or a content, word by word.

all-MiniLM-L6-v2 fine-tuned on PolNeAR train with three B/I/O heads, one a role, so that a word can
be the source of one attribution and inside the content of another
(``python -m quotegraph.train_tagger``; docs/model-card.md). It ships in ``data/tagger/`` as an ONNX
graph with int8 weights, served by onnxruntime; ``provenance.json`` says how it was made and loading
checks it. The rules keep the structure (linking, nesting, speakers); the tagger's probabilities are
a signal they consult in the accurate mode: ``analyze(..., mode="accurate")``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources

from typing import TYPE_CHECKING

import numpy as np

from . import sentences
from .sentences import ModelError

if TYPE_CHECKING:  # spaCy is not needed to train or export the tagger
    from spacy.tokens import Doc

ROLES = ("source", "cue", "content")
SOURCE, CUE, CONTENT = range(3)
OUTSIDE, BEGIN, INSIDE = range(3)
WINDOW = 254  # word-pieces a window, [CLS] and [SEP] aside
OVERLAP = 64  # word-pieces two windows share: a word near a window's edge is also seen with context
BATCH = 8
USER_DATA = "quotegraph_tagger"  # doc.user_data key of the probabilities


# ---------------------------------------------------------------- word-pieces and windows

def windows(spans: list[tuple[int, int]], size: int = WINDOW, overlap: int = 0) -> list[tuple[int, int]]:
    """Piece ranges of at most ``size`` that start and end on word boundaries (``spans``: each piece's
    word), overlapping by about ``overlap``."""
    out, start = [], 0
    while start < len(spans):
        end = min(start + size, len(spans))
        while end < len(spans) and end > start + 1 and spans[end] == spans[end - 1]:
            end -= 1  # do not cut a word
        out.append((start, end))
        if end == len(spans):
            break
        nxt = max(end - overlap, start + 1)
        while nxt < end and spans[nxt] == spans[nxt - 1]:
            nxt += 1
        start = nxt
    return out


def padded(pieces: list[list[int]], first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
    """Ids and attention mask of a batch of windows, each between [CLS] and [SEP]."""
    width = max(len(p) for p in pieces) + 2
    ids = np.zeros((len(pieces), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, p in enumerate(pieces):
        ids[row, :len(p) + 2] = [first, *p, last]
        mask[row, :len(p) + 2] = 1
    return ids, mask


def word_probabilities(run_batch, tokenizer: sentences.WordPiece, text: str, batch: int = BATCH):
    """Per-word B/I/O probabilities (words × roles × 3) of ``text`` and each word's character span.
    ``run_batch(ids, mask)`` gives the logits (batch × pieces × roles × 3). A word takes its first
    piece's probabilities, averaged over the windows that hold it."""
    ids, spans = tokenizer.pieces_with_spans(text)
    sums = np.zeros((len(ids), len(ROLES), 3), dtype=np.float32)
    counts = np.zeros(len(ids), dtype=np.float32)
    ranges = windows(spans, overlap=OVERLAP)
    for k in range(0, len(ranges), batch):
        group = ranges[k:k + batch]
        x, mask = padded([ids[s:e] for s, e in group], tokenizer.first, tokenizer.last)
        logits = run_batch(x, mask)
        z = np.exp(logits - logits.max(axis=-1, keepdims=True))
        p = z / z.sum(axis=-1, keepdims=True)
        for row, (s, e) in enumerate(group):
            sums[s:e] += p[row, 1:e - s + 1]
            counts[s:e] += 1
    probabilities = sums / np.maximum(counts, 1)[:, None, None]
    words, first_piece = [], []
    for k, span in enumerate(spans):
        if not words or words[-1] != span:
            words.append(span)
            first_piece.append(k)
    return probabilities[first_piece], words


def on_tokens(doc: Doc, words: list[tuple[int, int]], probabilities: np.ndarray) -> np.ndarray:
    """The probability that each spaCy token is inside a source, a cue, a content (tokens × roles):
    that of the tagger's word under the token's first character (white space: none)."""
    out = np.zeros((len(doc), len(ROLES)), dtype=np.float32)
    if not words or not len(doc):
        return out
    inside = 1.0 - probabilities[:, :, OUTSIDE]
    starts, ends = (np.fromiter((w[i] for w in words), dtype=np.int64, count=len(words)) for i in (0, 1))
    token_starts = np.fromiter((t.idx for t in doc), dtype=np.int64, count=len(doc))
    token_ends = token_starts + np.fromiter((len(t.text) for t in doc), dtype=np.int64, count=len(doc))
    k = np.searchsorted(ends, token_starts, side="right")  # the first word ending after the token starts
    hit = k < len(words)
    hit[hit] &= starts[k[hit]] < token_ends[hit]
    out[hit] = inside[k[hit]]
    return out


# ---------------------------------------------------------------- the shipped model

def _model_files():
    return resources.files("quotegraph.data").joinpath("tagger")


class Tagger:
    def __init__(self, files=None):
        """The tagger in ``files`` (a folder), by default the one in the package."""
        files = files if files is not None else _model_files()
        try:
            provenance = json.loads(files.joinpath("provenance.json").read_text("utf-8"))
            graph = files.joinpath("model.onnx").read_bytes()
            vocabulary_text = sentences._model_files().joinpath("vocab.txt").read_text("utf-8")
        except FileNotFoundError as e:
            raise ModelError(f"the attribution tagger is missing from the package ({e.filename}): "
                             "reinstall quotegraph") from None
        if hashlib.sha256(graph).hexdigest() != provenance.get("onnx_sha256"):
            raise ModelError("the attribution tagger in the package is not the one its provenance.json describes: "
                             "rebuild it with `python -m quotegraph.train_tagger`")
        if hashlib.sha256(vocabulary_text.encode("utf-8")).hexdigest() != provenance.get("vocab_sha256"):
            raise ModelError("the attribution tagger was built with another word-piece vocabulary than the "
                             "package's (data/minilm/vocab.txt): rebuild it with `python -m quotegraph.train_tagger`")
        if tuple(provenance.get("roles", ())) != ROLES:
            raise ModelError(f"the attribution tagger marks {provenance.get('roles')}, not {list(ROLES)}: "
                             "rebuild it with `python -m quotegraph.train_tagger`")
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # one process a core already
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        self.tokenizer = sentences.WordPiece(vocabulary_text.splitlines())
        self.provenance = provenance

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        [logits] = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return logits

    def word_probabilities(self, text: str):
        return word_probabilities(self._run, self.tokenizer, text)

    def tag(self, doc: Doc, text: str | None = None) -> np.ndarray:
        """Per-token probabilities of being inside a source, cue, content (kept on the Doc). ``text``:
        the Doc's text, when the caller has it (spaCy rebuilds it on every ``doc.text``)."""
        probabilities, words = self.word_probabilities(doc.text if text is None else text)
        doc.user_data[USER_DATA] = on_tokens(doc, words, probabilities)
        return doc.user_data[USER_DATA]


@functools.lru_cache(maxsize=1)
def model() -> Tagger:
    """The one tagger of this process, loaded when first asked for."""
    return Tagger()


def probabilities(doc: Doc) -> np.ndarray | None:
    """The tagger's per-token probabilities for this Doc (tokens × roles), when it was tagged."""
    return doc.user_data.get(USER_DATA)
