"""The sentence model that ships in the package (quotegraph/sentences.py): it loads with no network, its
tokenizer gives the original tokenizer's ids (the ids below are what the original BertTokenizer gives),
its embeddings tell a paraphrase from another claim, and a model that is not the one its provenance
describes is refused with a clear message."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from quotegraph import sentences


@pytest.mark.parametrize("text, ids", [
    ("Café owners said: “No threats!”", [101, 7668, 5608, 2056, 1024, 1523, 2053, 8767, 999, 1524, 102]),
    ("unbelievably Peskov", [101, 4895, 8671, 2666, 3567, 6321, 21877, 21590, 2615, 102]),
    ("北京 talks", [101, 1781, 1755, 7566, 102]),
    ("x" * 120, [101, 100, 102]),  # a word over 100 characters is unknown
])
def test_the_tokenizer_gives_the_original_ids(text, ids):
    assert sentences.model().tokenizer.encode(text) == ids


def test_long_texts_are_cut():
    encoded = sentences.model().tokenizer.encode("word " * 500)
    assert len(encoded) == sentences.MAX_TOKENS and encoded[-1] == 102


def test_embeddings_are_unit_vectors_that_tell_paraphrases_apart():
    vectors = sentences.model().embed([
        "Putin threatened me with a missile strike",
        "Vladimir Putin warned Boris Johnson that a missile strike would only take a minute",
        "the new tax plan will hurt working families",
        "Putin threatened me with a missile strike",
    ])
    assert vectors.shape == (4, sentences.DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    cosine = vectors @ vectors.T
    assert cosine[0, 3] == pytest.approx(1, abs=1e-5)  # batching does not change a text's vector
    assert cosine[0, 1] > 0.6 > 0.3 > cosine[0, 2]


def test_a_model_that_is_not_its_provenance_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "minilm"
    shutil.copytree(sentences._model_files(), copy)
    provenance = json.loads((copy / "provenance.json").read_text("utf-8"))
    (copy / "provenance.json").write_text(json.dumps(provenance | {"onnx_sha256": "0" * 64}), "utf-8")
    monkeypatch.setattr(sentences, "_model_files", lambda: copy)
    with pytest.raises(sentences.ModelError, match="rebuild it"):
        sentences.SentenceModel()
    (copy / "model.onnx").unlink()
    with pytest.raises(sentences.ModelError, match="missing .*reinstall"):
        sentences.SentenceModel()
