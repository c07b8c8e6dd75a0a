"""The claim ledger's figures (docs/claims.md), each a sub-command:

    python benchmarks/bench_claims.py silver URL [--sample 50] [--out sample.json]
    python benchmarks/bench_claims.py ingest --before REV [--rounds 3]
    python benchmarks/bench_claims.py queries [--statements 100000] [--db URL]
    python benchmarks/bench_claims.py assign [--statements 1000000] [--db URL] [--vectors]

- ``silver``: on a store holding PolNeAR train + dev (``quotegraph ingest`` of both), every pair of
  direct quotations in different articles with the same words, at least eight of them, should be in one
  claim: the recall on that silver set, also for the looser set of pairs sharing a run of eight words.
  It also draws a sample of claims reported in several articles that are not exact repeats, for a
  person to judge (docs/claims-sample.md).
- ``ingest``: ``quotegraph ingest`` of the dev articles into a new SQLite file with this code and with
  the code of ``--before`` (a git revision without claims, run from a worktree), taking turns round after
  round; the medians are compared.
- ``queries``: the dev and train articles analysed once and stored again and again under new URLs (as
  bench_store.py does) until the store holds ``--statements``; then ``claims`` (as the command asks it:
  all, by entity, disputed, since a date) and ``claim ID`` timed through the library.
- ``assign``: a store filled with synthetic statements (PolNeAR train's quotations with three in ten
  content words swapped for made-up ones; 5,000 speakers, Zipf-distributed, the first saying 11 % of
  everything; two years of dates; each statement's runs of words indexed and its content words kept as
  ingest keeps them; no sentence vector stored yet, or with ``--vectors`` a random unit vector for every
  statement, as if each had been embedded), then new documents' statements assigned to claims one
  document at a time, timed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent / ".." / "shared" / "data" / "polnear"
sys.path.insert(0, str(HERE))


def _median_ms(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"runs": len(times), "median_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], "max_ms": 1000 * ordered[-1]}


# ---------------------------------------------------------------- silver set and sample

def silver(url: str, sample: int, out: str | None, seed: int = 2026) -> dict:
    import sqlalchemy as sa

    from quotegraph.store import Store, claim_queries
    from quotegraph.store.claims import RUN, words
    from quotegraph.store.schema import claims, statements

    with Store(url) as store, store.engine.connect() as conn:
        rows = conn.execute(sa.select(statements.c.id, statements.c.document_id, statements.c.claim_id,
                                      statements.c.text).where(statements.c.kind == "direct")).all()
        by_words: dict[str, list] = {}
        by_run: dict[str, list] = {}
        for r in rows:
            folded = words(r.text)
            if len(folded) >= RUN:
                by_words.setdefault(" ".join(folded), []).append(r)
                for i in range(len(folded) - RUN + 1):
                    by_run.setdefault(" ".join(folded[i:i + RUN]), []).append(r)

        def recall(groups) -> dict:
            pairs = set()
            for members in groups.values():
                for i, a in enumerate(members):
                    for b in members[i + 1:]:
                        if a.document_id != b.document_id:
                            pairs.add((min(a.id, b.id), max(a.id, b.id), a.claim_id == b.claim_id))
            together = sum(1 for *_, same in pairs if same)
            return {"pairs": len(pairs), "in_one_claim": together, "recall": together / len(pairs) if pairs else None}

        result = {"direct_statements": len(rows), "identical_8_words": recall(by_words),
                  "sharing_a_run_of_8": recall(by_run)}
        multi = conn.execute(sa.select(claims.c.id).where(claims.c.documents >= 2)
                             .order_by(claims.c.id)).scalars().all()
        records = [claim_queries.claim(conn, c) for c in multi]
        inexact = [c for c in records if len({" ".join(words(r["text"])) for r in c["reports"]}) > 1]
        result |= {"claims": conn.execute(sa.select(sa.func.count()).select_from(claims)
                                          .where(claims.c.reports > 0)).scalar(),
                   "multi_article_claims": len(records), "not_exact_repeats": len(inexact)}
        drawn = random.Random(seed).sample(inexact, min(sample, len(inexact)))
    if out:
        Path(out).write_text(json.dumps([{
            "id": c["id"], "speaker": (c["speaker"] or {}).get("name"), "text": c["text"],
            "reports": [{"document": r["document"]["id"], "outlet": r["document"]["source"], "kind": r["kind"],
                         "speaker": (r["speaker"] or {}).get("name"), "date": r["date"], "text": r["text"]}
                        for r in c["reports"]]} for c in drawn], indent=2, ensure_ascii=False), encoding="utf-8")
    return result


# ---------------------------------------------------------------- ingest with and without claims

def _timed(cmd: list[str], env: dict | None = None, cwd: str | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    return time.perf_counter() - started


def ingest_cost(before: str, rounds: int) -> dict:
    import os

    data = (SHARED / "dev.jsonl").resolve()
    repo = HERE.parent
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "before"
        subprocess.run(["git", "-C", str(repo), "worktree", "add", "--detach", str(old), before], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            envs = {"without": dict(os.environ, PYTHONPATH=str(old)), "with": dict(os.environ, PYTHONPATH=str(repo))}
            times: dict[str, list[float]] = {"without": [], "with": []}
            for r in range(rounds):
                for name in (("without", "with") if r % 2 == 0 else ("with", "without")):
                    cmd = [sys.executable, "-m", "quotegraph.cli", "ingest", str(data), "--quiet",
                           "--db", f"{tmp}/{name}{r}.db"]
                    times[name].append(_timed(cmd, envs[name], cwd=tmp))  # not the repo: -m puts cwd first
        finally:
            subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(old)], check=False)
    without, with_ = statistics.median(times["without"]), statistics.median(times["with"])
    return {"articles": sum(1 for _ in data.open(encoding="utf-8")), "before": before, "seconds": times,
            "median_without_s": without, "median_with_s": with_, "extra_cost": with_ / without - 1}


# ---------------------------------------------------------------- queries on a big store

def queries(statements: int, db: str | None, repeats: int = 5, seed: int = 2026) -> dict:
    import sqlalchemy as sa
    from bench_store import _analysed, fill_store

    from quotegraph.store import Store, claim_queries, queries as store_queries
    from quotegraph.store.schema import claims

    with tempfile.TemporaryDirectory() as tmp:
        url = db or f"sqlite:///{tmp}/big.db"
        analysed = _analysed([SHARED / "dev.jsonl", SHARED / "train.jsonl"])
        with Store(url) as store:
            fill = fill_store(store, analysed, statements)
            counts = store.counts()
            with store.engine.connect() as conn:
                top = store_queries.top_entities(conn, 200)["named"]
                rnd = random.Random(seed)
                entities = [e["id"] for e in top[:10]] + [e["id"] for e in rnd.sample(top[10:], min(10, len(top) - 10))]
                ids = conn.execute(sa.select(claims.c.id).where(claims.c.reports > 0)).scalars().all()
                spread = conn.execute(sa.select(claims.c.id).order_by(claims.c.reports.desc())
                                      .limit(10)).scalars().all()
                F = claim_queries.ClaimFilters
                plans = {
                    "claims": [lambda: claim_queries.find_claims(conn, F())],
                    "claims --entity": [lambda e=e: claim_queries.find_claims(conn, F(entity=e)) for e in entities],
                    "claims --disputed": [lambda: claim_queries.find_claims(conn, F(disputed=True))],
                    "claims --since": [lambda: claim_queries.find_claims(conn, F(since="2016-10-01"))],
                    "claim ID": [lambda c=c: claim_queries.claim(conn, c) for c in rnd.sample(ids, 10) + spread],
                }
                out = {}
                for name, calls in plans.items():
                    times = []
                    for call in calls:
                        call()  # warm
                        for _ in range(repeats):
                            started = time.perf_counter()
                            call()
                            times.append(time.perf_counter() - started)
                    out[name] = _median_ms(times)
                n_claims = len(ids)
    return {"fill": fill, "counts": counts, "claims": n_claims, "queries": out}


# ---------------------------------------------------------------- assignment at a million statements

VOCABULARY = 50_000


def _word(n: int) -> str:
    """A made-up word of letters only (digits would make every word a number to the rules)."""
    letters = ""
    while True:
        n, d = divmod(n, 26)
        letters += chr(97 + d)
        if not n:
            return "q" + letters


def _quotations() -> list[str]:
    """PolNeAR train's quotations: what synthetic statements are made from, so that their length, their
    stop words and their overlaps are those of news."""
    return [q["text"] for line in (SHARED / "train.jsonl").open(encoding="utf-8")
            for q in json.loads(line)["quotes"]]


def _synthetic_text(rnd: random.Random, bases: list[str]) -> str:
    """A quotation with three in ten of its content words swapped for made-up ones."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return " ".join(w if w.lower() in STOP_WORDS or rnd.random() > 0.3 else _word(rnd.randrange(VOCABULARY))
                    for w in rnd.choice(bases).split())


SPEAKERS = 5_000
_SPEAKER_WEIGHTS = [1 / rank for rank in range(1, SPEAKERS + 1)]  # Zipf: the first says 11 % of everything


def _speaker(rnd: random.Random) -> int:
    return rnd.choices(range(1, SPEAKERS + 1), weights=_SPEAKER_WEIGHTS)[0]


def _unit(rnd):
    import numpy as np

    v = rnd.standard_normal(384).astype(np.float32)
    return (v / np.linalg.norm(v)).astype(np.float16)


def assign(statements: int, db: str | None, vectors: bool, documents: int = 30, seed: int = 2026) -> dict:
    import datetime as dt

    import numpy as np

    import sqlalchemy as sa

    from quotegraph.store import Store, claims as claim_rules
    from quotegraph.store.schema import claim_shingles, claims, entities, statement_vectors
    from quotegraph.store.schema import statements as statement_rows
    from quotegraph.store.schema import documents as document_rows

    rnd, nrnd = random.Random(seed), np.random.default_rng(seed)
    bases = _quotations()
    day0 = dt.date(2022, 1, 1)
    with tempfile.TemporaryDirectory() as tmp:
        url = db or f"sqlite:///{tmp}/million.db"
        with Store(url) as store:
            started = time.perf_counter()
            with store.writing() as conn:
                conn.execute(entities.insert(), [{"name": f"Speaker {i}", "type": "PERSON", "unnamed": False}
                                                 for i in range(SPEAKERS)])
                per_doc = 25
                for first in range(0, statements, 50_000):
                    n_docs = 50_000 // per_doc
                    returning = document_rows.insert().returning(document_rows.c.id, sort_by_parameter_order=True)
                    doc_ids = conn.execute(returning, [
                        {"key": f"synthetic:{first}:{d}", "name": f"s{first}-{d}", "text_hash": "-", "text": "-",
                         "analysis": "{}", "statement_count": per_doc, "ingested_at": "-", "analyzer": "bench"}
                        for d in range(n_docs)]).scalars().all()
                    claim_ids = conn.execute(claims.insert().returning(claims.c.id, sort_by_parameter_order=True), [
                        {"pinned": False, "text": "", "reports": 1, "documents": 1, "responses": 0, "disputes": 0}
                        for _ in range(50_000)]).scalars().all()
                    rows, runs = [], []
                    for k in range(50_000):
                        text = _synthetic_text(rnd, bases)
                        date = (day0 + dt.timedelta(days=rnd.randrange(730))).isoformat()
                        terms = " ".join(sorted(claim_rules.terms(claim_rules.words(text))))  # as assign keeps them
                        rows.append({"claim_terms": terms, "document_id": doc_ids[k // per_doc],
                                     "local_id": f"s{k % per_doc}", "kind":
                                     rnd.choice(("direct", "indirect", "mixed")), "text": text, "content": "[]",
                                     "times": "[]", "entity_id": _speaker(rnd),
                                     "date": date, "claim_id": claim_ids[k]})
                    conn.execute(statement_rows.insert(), rows)
                    ids = conn.execute(sa.select(statement_rows.c.id, statement_rows.c.text,
                                                 statement_rows.c.document_id)
                                       .where(statement_rows.c.claim_id.in_(claim_ids))).all()
                    for sid, text, doc in ids:
                        runs += [{"hash": h, "statement_id": sid, "document_id": doc}
                                 for h in claim_rules.shingles(claim_rules.words(text))]
                    conn.execute(claim_shingles.insert(), runs)
                    if vectors:  # synthetic, as the issue allows: every stored statement embedded already
                        conn.execute(statement_vectors.insert(), [
                            {"statement_id": sid, "document_id": doc, "vector": _unit(nrnd).tobytes()}
                            for sid, _, doc in ids])
            fill_s = time.perf_counter() - started
            stored = store.counts()["statements"]
            per_statement, per_document = [], []
            for d in range(documents):
                with store.writing() as conn:
                    doc_id = conn.execute(document_rows.insert().values(
                        key=f"new:{d}", name=f"new{d}", text_hash="-", text="-", analysis="{}", statement_count=20,
                        ingested_at="-", analyzer="bench").returning(document_rows.c.id)).scalar_one()
                    date = (day0 + dt.timedelta(days=rnd.randrange(730))).isoformat()
                    new = [{"document_id": doc_id, "local_id": f"s{k}", "kind": "direct", "content": "[]",
                            "times": "[]",
                            "text": _synthetic_text(rnd, bases), "date": date,
                            "entity_id": _speaker(rnd)} for k in range(20)]
                    conn.execute(statement_rows.insert(), new)
                    ids = conn.execute(sa.select(statement_rows.c.id).where(
                        statement_rows.c.document_id == doc_id)).scalars().all()
                    started = time.perf_counter()
                    claim_rules.assign(conn, ids)
                    seconds = time.perf_counter() - started
                per_document.append(seconds)
                per_statement.append(seconds / len(ids))
    return {"stored_statements": stored, "stored_vectors": vectors, "fill_s": fill_s, "documents": documents,
            "statements_per_document": 20,
            "per_statement": _median_ms(per_statement), "per_document": _median_ms(per_document)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("silver")
    s.add_argument("url")
    s.add_argument("--sample", type=int, default=50)
    s.add_argument("--out")
    i = sub.add_parser("ingest")
    i.add_argument("--before", required=True)
    i.add_argument("--rounds", type=int, default=3)
    q = sub.add_parser("queries")
    q.add_argument("--statements", type=int, default=100_000)
    q.add_argument("--db")
    a = sub.add_parser("assign")
    a.add_argument("--statements", type=int, default=1_000_000)
    a.add_argument("--db")
    a.add_argument("--vectors", action="store_true", help="give every stored statement a (synthetic) vector")
    args = parser.parse_args(argv)
    if args.what == "silver":
        result = silver(args.url, args.sample, args.out)
    elif args.what == "ingest":
        result = ingest_cost(args.before, args.rounds)
    elif args.what == "queries":
        result = queries(args.statements, args.db)
    else:
        result = assign(args.statements, args.db, args.vectors)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
