"""Cues: the words that signal an attribution ("said", "told", "according to", "assertion").

Which words are cues is learned: a logistic-regression model over parse features, trained on
PolNeAR train by ``python -m quotegraph.train`` and shipped in ``quotegraph/data/cue_model.json``
(see docs/model-card.md). A cue's span grows from its head word to the function words that the
annotators count as part of it ("has also said", "called for", "said in a statement"),
again by rates learned from the same data.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
from spacy.tokens import Doc, Token

from ..sentences import ModelError
from . import tagged

CANDIDATE_POS = {"VERB", "AUX", "NOUN", "ADJ"}
MODEL_FILE = "cue_model.json"

# Children that can never be part of a cue span, whatever the data says.
_NEVER_IN_CUE = {"nsubj", "nsubjpass", "ccomp", "csubj", "punct", "cc", "conj", "mark", "advcl", "relcl", "parataxis"}


def token_features(tok: Token, in_quote: bool, next_to_quote: bool) -> list[str]:
    """Features of one candidate cue word; strings, so the model is a readable table of weights."""
    w = tok.lower_
    feats = [
        "bias",
        f"w={w}",
        f"t={tok.tag_}",
        f"d={tok.dep_}",
        f"wt={w}|{tok.tag_}",
        f"wd={w}|{tok.dep_}",
        f"suf={w[-3:]}",
        f"hd={tok.dep_}|{tok.head.pos_}",
        f"prev={tok.nbor(-1).lower_ if tok.i > 0 else '<s>'}",
        f"next={tok.nbor(1).lower_ if tok.i + 1 < len(tok.doc) else '</s>'}",
        f"q={int(in_quote)}",
        f"wq={w}|{int(in_quote)}",
        f"nq={int(next_to_quote)}",
        f"wnq={w}|{int(next_to_quote)}",
    ]
    subject = None
    for child in tok.children:
        dep = child.dep_
        feats.append(f"c={dep}")
        feats.append(f"wc={w}|{dep}")
        if dep in ("nsubj", "nsubjpass"):
            subject = child
        elif dep == "ccomp":
            marks = [g.lower_ for g in child.children if g.dep_ == "mark"]
            feats.append(f"ccomp_mark={marks[0] if marks else '-'}")
        elif dep == "prep":
            feats.append(f"wprep={w}|{child.lower_}")
    if subject is not None:
        feats.append(f"subj={subject.pos_}")
        feats.append(f"wsubj={w}|{subject.pos_}")
        if subject.pos_ == "PRON":
            feats.append(f"subjw={subject.lower_}")
    else:
        feats.append("subj=none")
    if tok.dep_ != "ROOT":
        feats.append(f"h={tok.head.lower_}")
    return feats


@dataclass
class CueModel:
    """Logistic regression: sparse weights over feature strings plus dense weights over the
    spaCy pipeline's contextual vector of the word (``doc.tensor``), which lets the model
    tell "tossed" from "said" even for verbs it saw rarely."""

    weights: dict[str, float]
    threshold: float
    span_include: dict[str, float]  # "dep|word" or "dep|POS" -> rate at which annotators include that child
    dense: list[float] | None = None
    provenance: dict | None = None  # what it was trained from (train.py): spaCy, pipeline, vector width, data

    def __post_init__(self) -> None:
        self._dense = np.asarray(self.dense, dtype=np.float32) if self.dense else None

    @classmethod
    def load(cls) -> "CueModel":
        data = json.loads(resources.files("quotegraph.data").joinpath(MODEL_FILE).read_text("utf-8"))
        model = cls(data["weights"], data["threshold"], data["span_include"], data.get("dense"), data.get("provenance"))
        model.check_provenance()
        return model

    def check_provenance(self) -> None:
        """The model was trained on this pipeline's contextual vectors: the same spaCy minor version,
        the same width. Otherwise its dense weights would be dropped in silence, or read wrongly."""
        made = self.provenance
        if self._dense is None:
            return
        if not made:
            raise ModelError("the cue model in the package has no provenance: retrain it with `quotegraph train`")
        import spacy

        if spacy.__version__.split(".")[:2] != made["spacy"].split(".")[:2]:
            raise ModelError(f"the cue model was trained with spaCy {made['spacy']} and this is spaCy "
                             f"{spacy.__version__}: install spacy~={'.'.join(made['spacy'].split('.')[:2])}.0 or "
                             "retrain it with `quotegraph train`")
        if 2 * made["vector_width"] != len(self._dense):
            raise ModelError(f"the cue model's dense weights ({len(self._dense)}) do not match the vector width it "
                             f"records ({made['vector_width']}): retrain it with `quotegraph train`")

    def check_vectors(self, doc: Doc) -> None:
        """This Doc's contextual vectors are the width the model was trained on."""
        tensor = doc.tensor
        width = tensor.shape[1] if tensor is not None and getattr(tensor, "ndim", 0) == 2 and len(tensor) else None
        if self._dense is not None and width is not None and width != self.provenance["vector_width"]:
            raise ModelError(f"the spaCy pipeline gives vectors of width {width}, and the cue model was trained on "
                             f"{self.provenance['pipeline']} {self.provenance['pipeline_version']}'s "
                             f"({self.provenance['vector_width']}): install that pipeline or retrain with "
                             "`quotegraph train`")

    def score(self, feats: list[str], vector=None) -> float:
        z = sum(self.weights.get(f, 0.0) for f in feats)
        if self._dense is not None and vector is not None and len(vector) == len(self._dense):
            z += float(np.dot(self._dense, vector))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def includes(self, child: Token) -> bool:
        if child.dep_ in _NEVER_IN_CUE:
            return False
        for key in (f"{child.dep_}|{child.lower_}", f"{child.dep_}|{child.pos_}"):
            if key in self.span_include:
                return self.span_include[key] >= 0.5
        return False


@lru_cache(maxsize=1)
def cue_model() -> CueModel:
    return CueModel.load()


def span_key(child: Token) -> tuple[str, str]:
    return f"{child.dep_}|{child.lower_}", f"{child.dep_}|{child.pos_}"


def dense_features(tok: Token):
    """The contextual vectors of the word and of its syntactic head, side by side
    (None when the pipeline gave no vectors)."""
    tensor = tok.doc.tensor
    if tensor is None or len(tensor) != len(tok.doc):
        return None
    return np.concatenate([tensor[tok.i], tensor[tok.head.i]])


def is_candidate(tok: Token) -> bool:
    return tok.pos_ in CANDIDATE_POS or tok.lower_ == "according"


def cue_span(head: Token, model: CueModel) -> tuple[int, int]:
    """Token range [start, end) of the cue whose head is ``head``: the head plus the children
    annotators count with it ("has", "also", "not", "for", "in a statement"), kept contiguous."""
    if head.lower_ == "according" and head.i + 1 < len(head.doc) and head.nbor(1).lower_ == "to":
        return head.i, head.i + 2
    start = end = head.i
    left = sorted((c for c in head.lefts), key=lambda c: -c.i)
    for child in left:  # nearest first; stop at the first child left out
        between = range(child.i + 1, start)
        if child.i != start - 1 and not all(head.doc[j].dep_ in ("aux", "advmod", "neg") for j in between):
            break
        if not model.includes(child):
            break
        start = child.i
    for child in sorted(head.rights, key=lambda c: c.i):
        if child.i != end + 1:
            break
        if child.dep_ == "prep" and _prep_object_in_cue(child, model):
            end = child.right_edge.i  # "said in a statement", "wrote in an email"
            continue
        if not model.includes(child):
            break
        end = child.i
    return start, end + 1


def _prep_object_in_cue(prep: Token, model: CueModel) -> bool:
    """"said in a statement", "said in an interview": the whole phrase is the cue."""
    objs = [c for c in prep.children if c.dep_ == "pobj"]
    return bool(objs) and model.span_include.get(f"pobj|{objs[0].lower_}", 0.0) >= 0.5


# Verbs that report speech wherever they stand. PolNeAR annotates almost no attribution inside
# a quotation (23 of 19,831 in train) and few nested ones, so the learned model rejects
# "“… President Putin said that …”" and "Lee said the general had said …"; with a subject
# and a clause these verbs are kept all the same.
SPEECH_VERBS = {"said", "says", "say", "told", "tells", "asked", "added", "warned", "claimed", "insisted",
                "replied", "answered", "declared", "announced", "explained", "wrote", "stated"}


def find_cues(doc: Doc, quotes=None, model: CueModel | None = None) -> list[tuple[Token, float]]:
    """Every word the model takes for a cue, with its probability. ``quotes`` is a QuoteIndex."""
    model = model or cue_model()
    model.check_vectors(doc)
    found = []
    for tok, feats in candidate_features(doc, quotes):
        p = model.score(feats, dense_features(tok))
        if p >= model.threshold or _unmistakable(tok):
            found.append((tok, p))
    return tagged.second_opinion(doc, found, is_candidate, _unmistakable)  # the accurate mode's tagger


def _unmistakable(tok: Token) -> bool:
    """Constructions that report speech whatever the model says, wherever they stand
    (inside a quotation, or nested in another report): "X said (that) …", "X's claim that …"."""
    deps = {c.dep_ for c in tok.children}
    if tok.pos_ == "NOUN":
        return tok.lower_ in SPEECH_NOUNS and "poss" in deps and any(
            c.dep_ in ("acl", "ccomp") and any(g.lower_ == "that" and g.dep_ == "mark" for g in c.children)
            for c in tok.children)
    return _speech_verb_with_clause(tok)


SPEECH_NOUNS = {"claim", "claims", "assertion", "allegation", "allegations", "statement", "insistence",
                "suggestion", "contention", "denial", "warning", "promise", "argument", "accusation", "charge",
                "remark", "remarks", "comment", "comments", "admission", "announcement", "view", "belief"}


def _speech_verb_with_clause(tok: Token) -> bool:
    deps = {c.dep_ for c in tok.children}
    has_subject = "nsubj" in deps or (tok.dep_ == "conj" and any(c.dep_ == "nsubj" for c in tok.head.children))
    says_something = "ccomp" in deps or (tok.i + 1 < len(tok.doc) and tok.nbor(1).text in (":", ","))
    return tok.lower_ in SPEECH_VERBS and has_subject and says_something


def candidate_features(doc: Doc, quotes=None):
    """(token, features) for every candidate cue word of the document."""
    for sent in doc.sents:
        quoted_sentence = bool(quotes) and quotes.any_between(sent.start_char, sent.end_char)
        for tok in sent:
            if is_candidate(tok):
                in_quote = bool(quotes) and quotes.inside(tok.idx)
                yield tok, token_features(tok, in_quote, quoted_sentence)
