"""Claims across articles: the statements that assert the same thing, grouped into one claim.

Two statements report the same claim when (conservative by default: a wrong merge puts one person's
words beside another's):
- **the same words**: they share a run of eight words (``RUN``) after folding case, quotation marks,
  ellipses and punctuation away, so a quotation trimmed at either end or cut by "…" still matches.
  That is enough for the same speaker's statements. Quotations put to two speakers (the same words in
  several mouths, or a speaker the extractor got wrong) must share most of the shorter one's words
  (``MIN_COVERAGE``); reported speech put to two speakers never matches;
- **the same speaker saying the same thing**: the same canonical speaker, within ``PARAPHRASE_DAYS``
  of each other, the same numbers and some content words in common (cheap tests, ``_may_paraphrase``),
  and sentence embeddings that agree (``MIN_COSINE``; all-MiniLM-L6-v2, sentences.py). Only
  statements that pass the cheap tests are embedded, and each vector is kept (``statement_vectors``);
- and never a statement reported inside another ("Johnson said Putin said …") with one that is not:
  Putin's words inside Johnson's account are not Johnson's claim.

A claim is a connected group under those rules, so claims do not depend on the order articles arrive
in. They are kept as statements arrive (``assign``): a new statement looks up the runs of words it
holds (an index) and its speaker's statements of those weeks (an index), joins the claims it matches,
and joins them together. A person's decision (``merge``, ``split``) pins the statements it moves, by
their document's key and their words, so that it holds when the document is analysed again.

A claim's responses are the relations to any of its reports, and to statements that name it without
reporting it: "the Kremlin denied Johnson's claim that Putin threatened him" in an article that does
not carry Johnson's words is about the claim of his that shares its content (``about_claim``).
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterable, Iterator

import numpy as np
import sqlalchemy as sa

from .. import sentences
from .linking import _Components
from .schema import claim_pins, claim_shingles, claims, documents, relations, statement_vectors, statements

RUN = 8  # words: a run this long, shared, is the same quotation
PARAPHRASE_DAYS = 14  # a speaker repeating a claim: reports this close in time
MIN_SHARED = 3  # content words a paraphrase shares with the claim, at least, before it is embedded
MIN_SHARE = 0.5  # and of the shorter one's content words, at least this share (docs/claims.md)
MIN_COSINE = 0.85  # the cosine of two paraphrases' sentence embeddings (chosen on train: docs/claims.md)
ABOUT_DAYS = 60  # a response naming a claim made up to this long before or after it
ABOUT_SHARE = 0.5  # of the named claim's words the response's target repeats
MIN_COVERAGE = 0.6  # of the shorter quotation's words, in runs shared, for two speakers' quotations
QUOTED = ("direct", "mixed")
RESPONSES = ("disputes", "supports", "alternative_account")  # relations whose target may name a claim
_CHUNK = 500  # values in one IN (...)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SUFFIXES = ("ings", "ing", "edly", "ed", "es", "s", "ly")


def words(text: str) -> list[str]:
    """The words of a text, folded: lower case, one apostrophe, no punctuation or quotation marks."""
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


@functools.lru_cache(maxsize=200_000)  # a speaker's month of statements repeats its words
def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@functools.cache
def _stop_words() -> frozenset[str]:
    """spaCy's English stop words (a copy in ``data/stop_words.txt``, checked against spaCy's own by the
    tests): importing spaCy takes a second, which the writer of an ingest should not pay."""
    listed = resources.files("quotegraph.data").joinpath("stop_words.txt").read_text("utf-8")
    return frozenset(listed.split())


def terms(folded: list[str]) -> frozenset[str]:
    """The content words, stemmed: what a paraphrase must share."""
    stop = _stop_words()
    return frozenset(map(_stem, {w for w in folded if w not in stop and len(w) > 1}))


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def run_hashes(folded: list[str]) -> list[int]:
    """The hash of the run of RUN words starting at each word (none for a shorter text)."""
    return [_hash(" ".join(folded[i:i + RUN])) for i in range(len(folded) - RUN + 1)]


def shingles(folded: list[str]) -> set[int]:
    """Hashes of every run of RUN words (none for a shorter text)."""
    return set(run_hashes(folded))


def signature(document_key: str, text: str) -> str:
    """A statement's identity across analyses: its document and its words."""
    return f"{document_key}\x1f{hashlib.sha1(' '.join(words(text)).encode('utf-8')).hexdigest()}"


@dataclass
class Report:
    """A stored statement as claims see it; what the rules compare is worked out when first needed."""

    id: int
    document_id: int
    entity_id: int | None
    kind: str
    nested: bool
    date: str | None
    text: str
    claim_id: int | None = None
    vector: np.ndarray | None = field(default=None, repr=False)  # its sentence embedding, once known

    @functools.cached_property
    def folded(self) -> list[str]:
        return words(self.text)

    @functools.cached_property
    def run_list(self) -> list[int]:  # the run starting at each word
        return run_hashes(self.folded)

    @functools.cached_property
    def runs(self) -> set[int]:
        return set(self.run_list)

    @functools.cached_property
    def content(self) -> frozenset[str]:
        return terms(self.folded)

    @functools.cached_property
    def numbers(self) -> frozenset[str]:  # "report 3" and "report 4" are two claims
        return frozenset(_NUMBER.findall(self.text))


_REPORT_COLUMNS = (statements.c.id, statements.c.document_id, statements.c.entity_id, statements.c.kind,
                   statements.c.nested_in, statements.c.date, statements.c.text, statements.c.claim_id,
                   statements.c.claim_terms)


def _report(row) -> Report:
    report = Report(row.id, row.document_id, row.entity_id, row.kind, row.nested_in is not None, row.date, row.text,
                    row.claim_id)
    if row.claim_terms is not None:  # kept when it was assigned: a speaker's month is not tokenised again
        report.__dict__["content"] = frozenset(row.claim_terms.split())
    return report


def _reports(conn: sa.Connection, where) -> list[Report]:
    return [_report(r) for r in conn.execute(sa.select(*_REPORT_COLUMNS).where(where).order_by(statements.c.id))]


def chunks(values: Iterable, n: int = _CHUNK):
    """Lists of at most ``n`` of the values: one IN (...) each."""
    values = list(values)
    for k in range(0, len(values), n):
        yield values[k:k + n]


def _day(date: str | None) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat(date[:10]) if date and len(date) >= 10 else None
    except ValueError:
        return None


def _near(a: str | None, b: str | None, days: int) -> bool:
    """Whether two dates are at most ``days`` apart; an unknown date is near any."""
    da, db = _day(a), _day(b)
    return da is None or db is None or abs((da - db).days) <= days


def _window(reports: list[Report], days: int) -> tuple[str, str] | None:
    """The dates a candidate must fall in: ``days`` around the reports' dates, None when one is unknown."""
    known = [_day(r.date) for r in reports]
    if not known or any(d is None for d in known):
        return None
    pad = _dt.timedelta(days=days)
    return (min(known) - pad).isoformat(), (max(known) + pad).isoformat() + "\uffff"


# ---------------------------------------------------------------- when two statements are one claim

def _covered(report: Report, shared: set[int]) -> float:
    """The share of a report's words that lie in runs it shares."""
    covered = set()
    for i, h in enumerate(report.run_list):
        if h in shared:
            covered.update(range(i, i + RUN))
    return len(covered) / len(report.folded)


def _same_words(a: Report, b: Report) -> bool:
    """A run of words in common: enough for one speaker. Put to two speakers (or to one not known), the
    words must be most of the shorter report: "… to be the next president of the United States" is
    eight words that many say, and not one claim."""
    if a.nested != b.nested or not (shared := a.runs & b.runs):
        return False
    if a.entity_id is not None and a.entity_id == b.entity_id:
        return True
    shorter = min(a, b, key=lambda r: len(r.folded))
    return a.kind in QUOTED and b.kind in QUOTED and _covered(shorter, shared) >= MIN_COVERAGE


def _may_paraphrase(a: Report, b: Report) -> bool:
    """The cheap half of a paraphrase: the same speaker, near in time, every number and some content
    words in common, at least half the shorter one's. Only such pairs are embedded."""
    if a.entity_id is None or a.entity_id != b.entity_id or a.nested != b.nested:
        return False
    shared = len(a.content & b.content)
    return (shared >= MIN_SHARED and shared >= MIN_SHARE * min(len(a.content), len(b.content))
            and a.numbers == b.numbers and _near(a.date, b.date, PARAPHRASE_DAYS))


def _close(a: Report, b: Report) -> bool:
    """The sentence embeddings agree: what the two say is the same (both vectors known)."""
    return float(a.vector @ b.vector) >= MIN_COSINE


def embed(reports: Iterable[Report]) -> None:
    """Give reports without a vector their sentence embedding."""
    missing = [r for r in {id(r): r for r in reports}.values() if r.vector is None]
    if missing:
        for r, vector in zip(missing, sentences.model().embed([r.text for r in missing])):
            r.vector = vector


def same_claim(a: Report, b: Report) -> bool:
    """Whether two statements report one claim, by the rules above (embedding them if need be)."""
    if _same_words(a, b):
        return True
    if not _may_paraphrase(a, b):
        return False
    embed([a, b])
    return _close(a, b)


# ---------------------------------------------------------------- assigning new statements

def assign(conn: sa.Connection, statement_ids: list[int], *, shingled: bool = False) -> set[int]:
    """Put these stored statements (not yet in a claim) into claims: the claims they match, joined
    together, or new ones. ``shingled``: their runs of words are stored already. Returns the claims
    touched (their summaries are refreshed)."""
    new = [r for chunk in chunks(statement_ids) for r in _reports(conn, statements.c.id.in_(chunk))]
    if not new:
        return set()
    if not shingled:
        _store_runs(conn, new)
    links = _Components()
    for r in new:
        links.root(("s", r.id))
    pins = _pins(conn, new)
    for statement_id, claim_id in pins.items():
        links.join([("s", statement_id), ("c", claim_id)])
    for a, b in _matches(conn, new):
        links.join([("s", a.id), ("s", b.id) if b.claim_id is None else ("c", b.claim_id)])
    touched = _settle(conn, links, pins, new)
    touched |= _link_named_claims(conn, new)
    refresh(conn, touched)
    return touched


def _store_runs(conn: sa.Connection, reports: list[Report]) -> None:
    rows = [{"hash": h, "statement_id": r.id, "document_id": r.document_id} for r in reports for h in sorted(r.runs)]
    if rows:
        conn.execute(claim_shingles.insert(), rows)


def _matches(conn: sa.Connection, new: list[Report]) -> list[tuple[Report, Report]]:
    """Pairs (new statement, statement it is one claim with): stored ones, and new ones among themselves."""
    index = _index(new)
    sharing, speaking = _stored_candidates(conn, new)
    # a speaker's statements of the same weeks share no run with the new ones (those are in sharing):
    # their words are not hashed again
    stored = [(b, _keys(b)) for b in sharing] + [(b, _keys(b, runs=False)) for b in speaking]
    pairs = [(a, b) for b, keys in stored
             for a in {id(a): a for key in keys for a in index.get(key, ())}.values() if a.id != b.id]
    pairs += _pairs_among(index)
    found, maybe = [], []
    for a, b in pairs:
        if _same_words(a, b):
            found.append((a, b))
        elif _may_paraphrase(a, b):
            maybe.append((a, b))
    found += [(a, b) for a, b in maybe if a.folded == b.folded]  # the same words, too short for a run
    maybe = [(a, b) for a, b in maybe if a.folded != b.folded]
    if maybe:
        _vectors(conn, [r for pair in maybe for r in pair])
        found += [(a, b) for a, b in maybe if _close(a, b)]
    return found


def _keys(report: Report, runs: bool = True) -> Iterator[tuple]:
    """What two reports must share for any rule to join them: a run of words, or a speaker and a
    content word. Reports are compared through an index of these, never pair by pair."""
    if runs:
        yield from (("run", h) for h in report.runs)
    if report.entity_id is not None:
        yield from ((report.entity_id, term) for term in report.content)


def _index(reports: list[Report]) -> dict[tuple, list[Report]]:
    index: dict[tuple, list[Report]] = {}
    for r in reports:
        for key in _keys(r):
            index.setdefault(key, []).append(r)
    return index


def _pairs_among(index: dict[tuple, list[Report]]) -> list[tuple[Report, Report]]:
    """Each pair of indexed reports that share a key, once."""
    seen: dict[tuple[int, int], tuple[Report, Report]] = {}
    for members in index.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                seen.setdefault((a.id, b.id), (a, b))
    return list(seen.values())


def _vectors(conn: sa.Connection, reports: list[Report]) -> None:
    """Sentence embeddings for these reports: those stored, and the others computed and stored."""
    unique = list({r.id: r for r in reports}.values())
    known = {}
    for chunk in chunks([r.id for r in unique]):
        known.update(conn.execute(sa.select(statement_vectors.c.statement_id, statement_vectors.c.vector)
                                  .where(statement_vectors.c.statement_id.in_(chunk))).all())
    for r in unique:
        if r.id in known:
            r.vector = np.frombuffer(known[r.id], dtype=np.float16).astype(np.float32)
    missing = [r for r in unique if r.vector is None]
    embed(missing)
    if missing:
        conn.execute(statement_vectors.insert(), [
            {"statement_id": r.id, "document_id": r.document_id, "vector": r.vector.astype(np.float16).tobytes()}
            for r in missing])
    by_id = {r.id: r.vector for r in unique}
    for r in reports:  # the same statement may be two Report objects
        if r.vector is None:
            r.vector = by_id[r.id]


def _stored_candidates(conn: sa.Connection, new: list[Report]) -> tuple[list[Report], list[Report]]:
    """Statements already in claims that may match: those sharing a run of words, and (the others) the
    same speakers' statements of the same weeks."""
    ids: set[int] = set()
    for chunk in chunks({h for r in new for h in r.runs}):
        ids |= set(conn.execute(sa.select(claim_shingles.c.statement_id).where(claim_shingles.c.hash.in_(chunk))
                                .distinct()).scalars())
    in_claims = statements.c.claim_id.isnot(None)
    sharing = [r for chunk in chunks(ids) for r in _reports(conn, statements.c.id.in_(chunk) & in_claims)]
    speaking, seen = [], set(ids)
    for group in _by_weeks([r for r in new if r.entity_id is not None and len(r.content) >= MIN_SHARED]):
        window = _window(group, PARAPHRASE_DAYS)
        for chunk in chunks({r.entity_id for r in group}):
            where = statements.c.entity_id.in_(chunk) & in_claims
            if window:
                where &= statements.c.date.between(*window) | statements.c.date.is_(None)
            found = [r for r in _reports(conn, where) if r.id not in seen]
            seen |= {r.id for r in found}
            speaking += found
    return sharing, speaking


def _by_weeks(reports: list[Report]) -> list[list[Report]]:
    """Reports in runs of dates with no gap over PARAPHRASE_DAYS (and those of unknown date apart): one
    look-up of the speakers' weeks each, so that a batch spanning years does not read years."""
    unknown = [r for r in reports if _day(r.date) is None]
    groups, last = [], None
    for r in sorted((r for r in reports if _day(r.date) is not None), key=lambda r: _day(r.date)):
        day = _day(r.date)
        if last is None or (day - last).days > PARAPHRASE_DAYS:
            groups.append([])
        groups[-1].append(r)
        last = day
    return groups + ([unknown] if unknown else [])


def _pins(conn: sa.Connection, reports: list[Report]) -> dict[int, int]:
    """The claim a person put each of these statements in, where one did."""
    keys = dict(conn.execute(sa.select(documents.c.id, documents.c.key)
                             .where(documents.c.id.in_({r.document_id for r in reports}))).all())
    wanted = {signature(keys[r.document_id], r.text): r.id for r in reports}
    pinned = {}
    for chunk in chunks(wanted):
        for sig, claim_id in conn.execute(sa.select(claim_pins.c.signature, claim_pins.c.claim_id)
                                          .where(claim_pins.c.signature.in_(chunk))):
            pinned[wanted[sig]] = claim_id
    existing = set(conn.execute(sa.select(claims.c.id).where(claims.c.id.in_(set(pinned.values())))).scalars())
    return {s: c for s, c in pinned.items() if c in existing}


def _settle(conn: sa.Connection, links: _Components, pins: dict[int, int], new: list[Report]) -> set[int]:
    """Each group of linked statements and claims becomes one claim: a pinned claim in it, else the
    oldest, else a new one; the other unpinned claims in it join that one. Two pinned claims are never
    joined: a person kept them apart. Returns the claims touched."""
    groups = [(sorted(i for kind, i in g if kind == "s"), sorted(i for kind, i in g if kind == "c"))
              for g in links.groups()]
    pinned = set(conn.execute(sa.select(claims.c.id).where(
        claims.c.id.in_({c for _, cs in groups for c in cs}), claims.c.pinned)).scalars())
    fresh = iter(_new_claims(conn, sum(1 for _, cs in groups if not cs)))
    claim_of, touched = {}, set()
    for members, existing in groups:
        target = next((c for c in existing if c in pinned), existing[0] if existing else None) or next(fresh)
        absorbed = [c for c in existing if c != target and c not in pinned]
        _join_claims(conn, target, absorbed)
        touched |= {target, *absorbed}
        for s in members:
            claim_of[s] = pins.get(s, target)
            touched.add(claim_of[s])
    if claim_of:
        terms_of = {r.id: " ".join(sorted(r.content)) for r in new}
        conn.execute(statements.update().where(statements.c.id == sa.bindparam("sid"))
                     .values(claim_id=sa.bindparam("cid"), claim_terms=sa.bindparam("terms")),
                     [{"sid": s, "cid": c, "terms": terms_of[s]} for s, c in claim_of.items()])
    return touched


def _new_claims(conn: sa.Connection, n: int) -> list[int]:
    if not n:
        return []
    row = {"pinned": False, "text": "", "reports": 0, "documents": 0, "responses": 0, "disputes": 0}
    result = conn.execute(claims.insert().returning(claims.c.id, sort_by_parameter_order=True), [row] * n)
    return list(result.scalars())


def _join_claims(conn: sa.Connection, target: int, absorbed: list[int]) -> None:
    """The reports, named references and pins of ``absorbed`` claims move to ``target``; they go."""
    if not absorbed:
        return
    conn.execute(statements.update().where(statements.c.claim_id.in_(absorbed)).values(claim_id=target))
    conn.execute(statements.update().where(statements.c.about_claim.in_(absorbed)).values(about_claim=target))
    conn.execute(claim_pins.update().where(claim_pins.c.claim_id.in_(absorbed)).values(claim_id=target))
    conn.execute(claims.delete().where(claims.c.id.in_(absorbed)))


# ---------------------------------------------------------------- responses that name a claim

def _targets(conn: sa.Connection, where) -> list[Report]:
    """Statements reported inside the statement that disputes or supports them ("the Kremlin denied
    Johnson's claim that …": Johnson's words inside the Kremlin's), as reports. Read from the relations,
    which are few, and not from the statements, which are many."""
    responder = statements.alias("responder")
    rows = conn.execute(sa.select(*_REPORT_COLUMNS).distinct()
                        .join_from(relations, statements, relations.c.to_statement == statements.c.id)
                        .join(responder, relations.c.from_statement == responder.c.id)
                        .where(relations.c.type.in_(RESPONSES), responder.c.local_id == statements.c.nested_in,
                               responder.c.document_id == statements.c.document_id, where)
                        .order_by(statements.c.id))
    return [_report(r) for r in rows]


def _names(target: Report, claim_report: Report) -> bool:
    """Whether a response's target ("Johnson's claim that Putin threatened him") is about the claim
    ``claim_report`` reports: the same speaker, near in time, another article, and most of the
    target's content words in the claim's."""
    shared = len(target.content & claim_report.content)
    return (target.entity_id is not None and target.entity_id == claim_report.entity_id
            and target.document_id != claim_report.document_id and shared >= 2
            and shared >= ABOUT_SHARE * len(target.content) and _near(target.date, claim_report.date, ABOUT_DAYS))


def _link_named_claims(conn: sa.Connection, new: list[Report]) -> set[int]:
    """Set ``about_claim`` where a new target names a stored claim, or a new report is the claim a
    stored target names. Returns the claims given a response."""
    ids = [r.id for r in new]
    speakers = {r.entity_id for r in new if r.entity_id is not None}
    if not speakers:
        return set()
    new_targets = [t for chunk in chunks(ids) for t in _targets(conn, statements.c.id.in_(chunk))]
    stored_targets = [t for chunk in chunks(speakers) for t in _targets(
        conn, statements.c.entity_id.in_(chunk) & statements.c.about_claim.is_(None) & statements.c.id.not_in(ids))]
    claim_of = dict(conn.execute(sa.select(statements.c.id, statements.c.claim_id)
                                 .where(statements.c.id.in_(ids))).all()) if len(ids) <= _CHUNK else {
        i: c for chunk in chunks(ids) for i, c in conn.execute(
            sa.select(statements.c.id, statements.c.claim_id).where(statements.c.id.in_(chunk)))}
    for r in new:
        r.claim_id = claim_of.get(r.id)
    # target id -> claim -> (most words shared with one report, reports matched): the closest claim, and
    # of those equally close the one reported most
    about: dict[int, dict[int, tuple[int, int]]] = {}

    def consider(target: Report, report: Report) -> None:
        if report.claim_id != target.claim_id and _names(target, report):
            shared, matched = about.setdefault(target.id, {}).get(report.claim_id, (0, 0))
            about[target.id][report.claim_id] = (max(shared, len(target.content & report.content)), matched + 1)

    for target in new_targets:
        for report in _speaker_reports(conn, target):
            consider(target, report)
    for target in stored_targets:
        for report in new:
            consider(target, report)
    chosen = {t: min(found, key=lambda c: (-found[c][0], -found[c][1], c)) for t, found in about.items()}
    if chosen:
        conn.execute(statements.update().where(statements.c.id == sa.bindparam("sid"))
                     .values(about_claim=sa.bindparam("cid")), [{"sid": t, "cid": c} for t, c in chosen.items()])
    return set(chosen.values())


def _speaker_reports(conn: sa.Connection, target: Report) -> list[Report]:
    where = (statements.c.entity_id == target.entity_id) & statements.c.claim_id.isnot(None) & (
        statements.c.document_id != target.document_id)
    window = _window([target], ABOUT_DAYS)
    if window:
        where &= statements.c.date.between(*window) | statements.c.date.is_(None)
    return _reports(conn, where)


# ---------------------------------------------------------------- summaries

def canonical(reports: list[Report]) -> Report:
    """The fullest direct wording, else the fullest mixed one, else the fullest report."""
    rank = {"direct": 2, "mixed": 1}
    return max(reports, key=lambda r: (rank.get(r.kind, 0), len(r.folded), -r.id))


def refresh(conn: sa.Connection, claim_ids: Iterable[int]) -> None:
    """Recompute these claims' summaries from their reports and responses; an unpinned claim left
    with no report goes."""
    ids = sorted(set(claim_ids))
    for chunk in chunks(ids):
        members = _reports(conn, statements.c.claim_id.in_(chunk))
        by_claim: dict[int, list[Report]] = {}
        for r in members:
            by_claim.setdefault(r.claim_id, []).append(r)
        counts = _response_counts(conn, chunk)
        published = dict(conn.execute(sa.select(documents.c.id, documents.c.published).where(
            documents.c.id.in_({r.document_id for r in members}))).all()) if members else {}
        rows = []
        for claim_id in chunk:
            reports = by_claim.get(claim_id, [])
            speakers = Counter(r.entity_id for r in reports if r.entity_id is not None)
            best = canonical(reports) if reports else None
            dates = sorted(d for d in (published.get(r.document_id) or r.date for r in reports) if d)
            responses, disputes = counts.get(claim_id, (0, 0))
            rows.append({"cid": claim_id, "entity_id": speakers.most_common(1)[0][0] if speakers else None,
                         "text": _display(best) if best else "", "statement_id": best.id if best else None,
                         "first_reported": dates[0] if dates else None, "last_reported": dates[-1] if dates else None,
                         "reports": len(reports), "documents": len({r.document_id for r in reports}),
                         "responses": responses, "disputes": disputes})
        if rows:
            conn.execute(claims.update().where(claims.c.id == sa.bindparam("cid")).values(
                **{k: sa.bindparam(k) for k in rows[0] if k != "cid"}), rows)
        empty = [r["cid"] for r in rows if not r["reports"]]
        if empty:
            conn.execute(statements.update().where(statements.c.about_claim.in_(empty)).values(about_claim=None))
            conn.execute(claims.delete().where(claims.c.id.in_(empty), claims.c.pinned.is_(False)))


def _display(report: Report) -> str:
    text = report.text.strip()
    return text[5:] if report.kind == "indirect" and text.lower().startswith("that ") else text


def responding(column: str):
    """Relations answering claims through ``column`` of the statement they answer ("claim_id": a report,
    "about_claim": a statement naming the claim), from statements outside the claim: the select, and the
    aliases of the answered and the responding statement."""
    answered, responder = statements.alias("answered"), statements.alias("responder")
    claim_of = answered.c[column]
    select = (sa.select(claim_of.label("claim")).select_from(relations)
              .join(answered, relations.c.to_statement == answered.c.id)
              .join(responder, relations.c.from_statement == responder.c.id)
              .where(sa.or_(responder.c.claim_id.is_(None), responder.c.claim_id != claim_of)))
    return select, answered, responder


def _response_counts(conn: sa.Connection, claim_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(responses, disputes) of each claim: relations to its reports or to statements naming it, from
    statements outside it."""
    counts: dict[int, list[int]] = {}
    for column in ("claim_id", "about_claim"):
        select, answered, _ = responding(column)
        rows = conn.execute(select.add_columns(relations.c.type).where(answered.c[column].in_(claim_ids)))
        for claim_id, type_ in rows:
            c = counts.setdefault(claim_id, [0, 0])
            c[0] += 1
            c[1] += type_ == "disputes"
    return {k: (v[0], v[1]) for k, v in counts.items()}


# ---------------------------------------------------------------- when a document goes

def claims_of_document(conn: sa.Connection, document_id: int) -> set[int]:
    """The claims a document's statements report or name: those to settle again once it is gone."""
    rows = conn.execute(sa.select(statements.c.claim_id, statements.c.about_claim)
                        .where(statements.c.document_id == document_id))
    return {c for row in rows for c in row if c is not None}


def claims_of_statements(conn: sa.Connection, statement_ids: Iterable[int]) -> set[int]:
    """The claims these statements report or name."""
    out: set[int] = set()
    for chunk in chunks(statement_ids):
        rows = conn.execute(sa.select(statements.c.claim_id, statements.c.about_claim)
                            .where(statements.c.id.in_(chunk)))
        out |= {c for row in rows for c in row if c is not None}
    return out


def regroup(conn: sa.Connection, claim_ids: set[int]) -> None:
    """After reports left these claims (their document was replaced): an unpinned claim may have lost
    the report that joined two groups, so its remaining reports are assigned again from scratch, and
    the statements naming it look for their claim again. A pinned claim keeps its shape."""
    if not claim_ids:
        return
    pinned = set(conn.execute(sa.select(claims.c.id).where(claims.c.id.in_(claim_ids), claims.c.pinned)).scalars())
    free = sorted(claim_ids - pinned)
    members, naming = [], []
    for chunk in chunks(free):
        members += conn.execute(sa.select(statements.c.id).where(statements.c.claim_id.in_(chunk))).scalars().all()
        naming += conn.execute(sa.select(statements.c.id).where(statements.c.about_claim.in_(chunk))).scalars().all()
        conn.execute(statements.update().where(statements.c.claim_id.in_(chunk)).values(claim_id=None))
        conn.execute(statements.update().where(statements.c.about_claim.in_(chunk)).values(about_claim=None))
        conn.execute(claims.delete().where(claims.c.id.in_(chunk)))
    assign(conn, members, shingled=True)
    others = [i for i in naming if i not in set(members)]
    refresh(conn, _link_named_claims(conn, [r for chunk in chunks(others)
                                            for r in _reports(conn, statements.c.id.in_(chunk))]) | pinned)


def assign_all(conn: sa.Connection, page: int = 200) -> None:
    """Claims for every stored statement not in one, a page of documents at a time (a store made
    before claims, schema version 5)."""
    last = 0
    while ids := conn.execute(sa.select(documents.c.id).where(documents.c.id > last)
                              .order_by(documents.c.id).limit(page)).scalars().all():
        last = ids[-1]
        todo = conn.execute(sa.select(statements.c.id).where(statements.c.document_id.in_(ids),
                                                             statements.c.claim_id.is_(None))).scalars().all()
        assign(conn, list(todo))


# ---------------------------------------------------------------- a person's decisions

class ClaimEditError(ValueError):
    pass


def _pin(conn: sa.Connection, claim_id: int, where) -> None:
    """The statements ``where`` selects stay in ``claim_id``, now and when analysed again."""
    rows = conn.execute(sa.select(documents.c.key, statements.c.text)
                        .join_from(statements, documents, statements.c.document_id == documents.c.id).where(where))
    signatures = sorted({signature(key, text) for key, text in rows})
    for chunk in chunks(signatures):
        conn.execute(claim_pins.delete().where(claim_pins.c.signature.in_(chunk)))
    if signatures:
        conn.execute(claim_pins.insert(), [{"signature": s, "claim_id": claim_id} for s in signatures])
    conn.execute(claims.update().where(claims.c.id == claim_id).values(pinned=True))


def _exists(conn: sa.Connection, claim_id: int) -> bool:
    return conn.execute(sa.select(claims.c.id).where(claims.c.id == claim_id, claims.c.reports > 0)).first() is not None


def merge(conn: sa.Connection, keep: int, absorb: int) -> None:
    """Claim ``absorb`` becomes part of ``keep``, for articles stored and to come."""
    if keep == absorb:
        raise ClaimEditError("cannot merge a claim with itself")
    for claim_id in (keep, absorb):
        if not _exists(conn, claim_id):
            raise ClaimEditError(f"no claim #{claim_id}; see `quotegraph claims`")
    conn.execute(claims.update().where(claims.c.id == absorb).values(pinned=False))
    _join_claims(conn, keep, [absorb])
    _pin(conn, keep, statements.c.claim_id == keep)
    refresh(conn, [keep])


def split(conn: sa.Connection, claim_id: int, *, statement_ids: list[int] = (), document_id: int | None = None) -> int:
    """Move some of a claim's reports (these stored statements, or those in one document) to a new claim,
    kept apart from it from now on; returns the new claim's id."""
    if not _exists(conn, claim_id):
        raise ClaimEditError(f"no claim #{claim_id}; see `quotegraph claims`")
    chosen = statements.c.id.in_(list(statement_ids)) if statement_ids else statements.c.document_id == document_id
    moving = conn.execute(sa.select(statements.c.id).where(statements.c.claim_id == claim_id, chosen)).scalars().all()
    total = conn.execute(sa.select(sa.func.count()).where(statements.c.claim_id == claim_id)).scalar()
    if not moving:
        raise ClaimEditError(f"no report of claim #{claim_id} matches; see `quotegraph claim {claim_id}`")
    if len(moving) == total:
        raise ClaimEditError("that would move every report; nothing would be left to split from")
    [new_id] = _new_claims(conn, 1)
    conn.execute(statements.update().where(statements.c.id.in_(moving)).values(claim_id=new_id))
    _pin(conn, new_id, statements.c.claim_id == new_id)
    _pin(conn, claim_id, statements.c.claim_id == claim_id)
    refresh(conn, [claim_id, new_id])
    return new_id
