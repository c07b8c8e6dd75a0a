"""What the relation model reads: features of one statement ("is this a response?") and of a
pair of statements ("is B the claim that A answers?").

Features are plain strings, as in the cue model: word forms from small lexicons, the shape of
the statement (kind, nesting, cue), and how two statements stand to each other (who said them,
who each names, how many words they share, how far apart they are). Everything is computed once
per document in ``DocumentView`` so that scoring stays linear in the number of pairs looked at.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import numpy as np

from .context import Context, Draft
from .disputes import DENIAL_CUES, FALSITY, NEGATED_EXISTENCE, SUPPORT_CUES, stems
from .quotes import paragraphs

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_STOP = frozenset("""a an the and or but if of to in on at by for with from as is are was were be been being has have
had do does did not no this that these those it its he she they we you i his her their our your my me him them us
who whom which what when where why how than then there here so such very just also only about into over after
before said says say saying told tell would could should will can may might must more most some any all one two
mr mrs ms dr""".split())
NEGATION = frozenset({"not", "n't", "n’t", "never", "no", "nothing", "none", "nobody", "neither", "nor"})
# Words by which a statement answers or opposes another (checked against the content's word forms).
OPPOSING = frozenset("""but however although though instead actually fact contrary wrong false untrue lie lies lying
lied misleading mislead misled distort distorted distorting exaggerate exaggerated exaggerating cherry-picked
nonsense ridiculous absurd baseless bogus debunked incorrect inaccurate myth disagree disagrees disagreed deny
denies denied reject rejects rejected dismiss dismissed dismisses counter countered counters rebut rebutted
insist insisted insists defend defended defends refuse refused criticize criticized attack attacked accuse
accused slam slammed blast blasted disputed dispute disputes fabricated fabrication smear smears conspiracy
opposite opposed oppose opposes against despite yet still evidence never""".split())
AGREEING = frozenset("""agree agrees agreed agreement right correct true confirm confirms confirmed confirmation
echo echoed echoes backed backs support supports supported endorse endorsed endorses praised praise likewise
similarly also too same indeed corroborate corroborated consistent accurate""".split())

BEFORE_WINDOW = 30  # earlier statements a response is compared with
VECTOR_WIDTH = 96


def _content_vector(ctx: Context, d: Draft):
    """The spaCy pipeline's contextual vectors averaged over the content, unit length."""
    tensor = ctx.doc.tensor
    if tensor is None or len(tensor) != len(ctx.doc) or not len(tensor):
        return None
    rows = []
    for s, e in d.content:
        span = ctx.doc.char_span(s, e, alignment_mode="expand")
        if span is not None:
            rows.append(tensor[span.start:span.end])
    if not rows:
        return None
    v = np.concatenate(rows).mean(axis=0)
    n = float(np.linalg.norm(v))
    return v / n if n else v


def statement_dense(a: "StatementView"):
    """Dense features of a statement: its content's vector and its cue word's (the pipeline's
    tok2vec is 96 wide; zeros where a Doc has no vectors)."""
    content = a.vector if a.vector is not None else np.zeros(VECTOR_WIDTH, dtype=np.float32)
    tok = a.draft.cue_token
    tensor = tok.doc.tensor if tok is not None else None
    parsed = tensor is not None and len(tensor) == len(tok.doc)
    cue = tensor[tok.i] if parsed else np.zeros(len(content), dtype=np.float32)
    return np.concatenate([content, cue]).astype(np.float32)


def _bucket(n: float, edges: tuple) -> str:
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


@dataclass
class StatementView:
    draft: Draft
    index: int
    paragraph: int
    words: list[str]
    stems: set[str]
    names: set[str]  # capitalised words of the content ("Clinton", "Moscow")
    speaker_words: set[str]  # the speaker's name words, lower case
    text: str
    negated: bool  # the content holds a negation ("not", "never", "no")
    vector: np.ndarray | None = None  # mean contextual vector of the content, unit length


@dataclass
class DocumentView:
    """The statements of one document, with what the features need computed once."""

    ctx: Context
    statements: list[StatementView] = field(default_factory=list)
    _speaker_index: dict | None = None

    @classmethod
    def of(cls, ctx: Context, drafts: list[Draft]) -> "DocumentView":
        view = cls(ctx)
        starts = [s for s, _ in paragraphs(ctx.text)] or [0]
        names = {e.id: {w.lower() for m in e.mentions for w in WORD.findall(m.text) if w[0].isupper()}
                 | {w.lower() for w in WORD.findall(e.name)} for e in ctx.entities}
        for i, d in enumerate(drafts):
            text = " ".join(ctx.text[s:e] for s, e in d.content)
            words = [w.lower() for w in WORD.findall(text)]
            view.statements.append(StatementView(
                draft=d, index=i, paragraph=bisect.bisect_right(starts, d.start) - 1, words=words,
                stems=stems(text), names={w.lower() for w in WORD.findall(text) if w[0].isupper()} - _STOP,
                speaker_words=(names.get(d.speaker, set()) - _STOP) if d.speaker else set(), text=text,
                negated=any(w in NEGATION for w in words), vector=_content_vector(ctx, d)))
        return view

    def speakers_named(self, word: str) -> set:
        """The speakers (entity ids) that ``word`` names ("clinton" -> the Clinton entity)."""
        if self._speaker_index is None:
            self._speaker_index = {}
            for st in self.statements:
                if st.draft.speaker:
                    for w in st.speaker_words:
                        self._speaker_index.setdefault(w, set()).add(st.draft.speaker)
        return self._speaker_index.get(word, set())

    def cue_text(self, d: Draft) -> str:
        return self.ctx.text[d.cue[0]:d.cue[1]].lower() if d.cue else ""


def statement_features(view: DocumentView, a: StatementView, explicit: dict[str, bool]) -> list[str]:
    """Is ``a`` a response (a dispute, a support) to something? Its words and shape."""
    d = a.draft
    cue = view.cue_text(d)
    words = set(a.words)
    f = ["bias", f"kind={d.kind}", f"nested={d.nested_in is not None}", f"speaker={d.speaker is not None}"]
    if d.cue_token is not None:
        f.append(f"cue_head={d.cue_token.lower_}")
        f.append(f"cue_pos={d.cue_token.pos_}")
        f += [f"cue_child={c.dep_}:{c.lower_}" for c in d.cue_token.children
              if c.dep_ in ("neg", "advmod", "prt", "prep")]
    f += [f"cue_word={w}" for w in WORD.findall(cue)[:4]]
    f.append("neg=" + _bucket(sum(w in NEGATION for w in a.words), (0, 1, 2)))  # how many, not only whether
    f += [f"opp={w}" for w in words & OPPOSING]
    f += [f"agree={w}" for w in words & AGREEING]
    f.append("opp_n=" + _bucket(len(words & OPPOSING), (0, 1, 2)))
    f.append("len=" + _bucket(len(a.words), (5, 10, 20, 40)))
    f.append("para=" + _bucket(a.paragraph, (0, 1, 3, 8)))
    first = a.words[0] if a.words else ""
    f.append(f"first={first}")
    if DENIAL_CUES.search(cue):
        f.append("denial_cue")
    if SUPPORT_CUES.search(cue):
        f.append("support_cue")
    if FALSITY.search(a.text):
        f.append("falsity")
    if NEGATED_EXISTENCE.search(a.text):
        f.append("negated_existence")
    # a window of earlier statements, not all of them: linear in the length of the document
    before = [b for b in view.statements[max(0, a.index - BEFORE_WINDOW):a.index]
              if b.draft.speaker != d.speaker and b.draft.speaker]
    f.append("others_before=" + _bucket(len({b.draft.speaker for b in before}), (0, 1, 2)))
    best = max((len(a.stems & b.stems) for b in before), default=0)
    f.append("best_overlap=" + _bucket(best, (0, 1, 2, 4, 7)))
    if any(view.speakers_named(w) - {d.speaker} for w in a.names):
        f.append("names_other_speaker")
    f += [f"rule={k}" for k, v in explicit.items() if v]
    return f


def pair_features(view: DocumentView, a: StatementView, b: StatementView, rank: int) -> list[str]:
    """Is ``b`` the claim that ``a`` answers? How the two stand to each other."""
    da, db = a.draft, b.draft
    shared = len(a.stems & b.stems)
    union = len(a.stems | b.stems) or 1
    distance = a.index - b.index
    same_speaker = f"same_speaker={da.speaker is not None and da.speaker == db.speaker}"
    order = "before" if distance > 0 else "after"
    ranked = f"rank={min(rank, 4)}"
    sharing = "shared=" + _bucket(shared, (0, 1, 2, 3, 5, 8))
    near = "dist=" + _bucket(abs(distance), (1, 2, 3, 5, 8, 15))
    f = ["bias", same_speaker, order, ranked, sharing, near,
         f"b_speaker={db.speaker is not None}",
         "para_dist=" + _bucket(abs(a.paragraph - b.paragraph), (0, 1, 2, 4, 8)),
         "jaccard=" + _bucket(round(shared / union, 2), (0.0, 0.05, 0.1, 0.2, 0.35)),
         f"b_kind={db.kind}",
         "b_index=" + _bucket(b.index, (0, 1, 2, 5)),
         f"a_generic={len(a.stems) <= 2}",
         f"b_nested={db.nested_in is not None}",
         f"b_in_a={db.nested_in is da}",
         f"a_in_b={da.nested_in is db}",
         f"polarity={a.negated}:{b.negated}",
         "shared_names=" + _bucket(len(a.names & b.names), (0, 1, 2, 4))]
    if b.speaker_words and a.names & b.speaker_words:
        f.append("a_names_b_speaker")
    if a.speaker_words and b.names & a.speaker_words:
        f.append("b_names_a_speaker")
    if a.vector is not None and b.vector is not None:
        f.append("cos=" + _bucket(round(float(a.vector @ b.vector), 2), (0.5, 0.6, 0.7, 0.8, 0.9)))
    if db.cue_token is not None:
        f.append(f"b_cue_head={db.cue_token.lower_}")
    # the same facts seen together: a near claim by someone else that shares words
    f += [f"{x}&{y}" for x in (same_speaker, order, ranked) for y in (sharing, near)]
    return f
