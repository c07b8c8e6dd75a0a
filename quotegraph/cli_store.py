"""The store's commands: ingest, said, search, disputes, entities, claims, claim, export.

Each takes --db (a SQLite file or URL, or postgresql://...; default $QUOTEGRAPH_DB, else quotegraph.db
in the working directory). Answers print as a table on a terminal and as JSON otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import typing

from .cli_common import EXIT_OK, EXIT_SOME_FAILED, UsageError, add_mode, command, output_format
from .inputs import check_period, check_published, check_score
from .model import RelationType
from .store.search import GRAMMAR as SEARCH_GRAMMAR
from .table import RELATION_WORDS, clip

def _store(args):
    """The store --db names, once the numbers the command was given are known to be in range."""
    from .store import Store, queries

    for option in ("limit", "top", "min_reports"):  # argparse takes any int: -1 and 10**23 would reach the database
        queries.check_count(getattr(args, option, None), f"--{option.replace('_', '-')}")
    return Store(args.db)


def _check_claim_ids(args) -> None:
    """The claims and statements a claims command names, checked before the store opens."""
    from .store import queries

    named = [getattr(args, "claim", None), getattr(args, "other", None), *(getattr(args, "statement", None) or [])]
    for given in named:
        if given is not None and not queries.is_stored_id(_claim_id(str(given))):
            raise UsageError(f"no claim or statement {given}: ids are whole numbers from 1 to {queries.MAX_ID}")


def _entity_id(conn, name: str, role: str = "entity") -> int:
    from .store import queries

    found = queries.find_entities(conn, name)
    if not found:
        raise UsageError(f"no {role} matches {name!r}; see `quotegraph entities`")
    chosen, others = found[0], found[1:]
    if others:
        listed = ", ".join(f"{e['name']} (#{e['id']}, {e['statements']} statements)" for e in others[:5])
        print(f"quotegraph: {name!r} is taken as {chosen['name']} (#{chosen['id']}); it also matches {listed}. "
              f"Give #ID to choose.", file=sys.stderr)
    return chosen["id"]


# ---------------------------------------------------------------- printing

def _statement_line(s: dict) -> str:
    speaker = (s["entity"] or {}).get("name") or (s["source"] or {}).get("text") or "?"
    title = s["document"]["title"] or s["document"]["id"]
    return f"{s['date'] or '????-??-??':10}  {clip(speaker, 22):22}  {clip(s['text'], 90)}  [{clip(title, 40)}]"


def _print(records, args, table) -> None:
    fmt = output_format(args)
    if fmt == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif fmt == "jsonl":
        for r in records:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
    else:
        for line in table(records):
            print(line)


def _statement_table(records):
    if not records:
        yield "(no statements)"
    for s in records:
        yield _statement_line(s)


# ---------------------------------------------------------------- commands

def cmd_ingest(args) -> int:
    from .ingest import ingest

    published = check_published(args.published)
    if args.batch_size < 1 or args.max_mb <= 0:
        raise UsageError("--batch-size and --max-mb must be positive")
    with _store(args) as store:
        summary = ingest(args.paths, store, published=published, reanalyze=args.reanalyze, jobs=args.jobs,
                         batch_size=args.batch_size, max_bytes=int(args.max_mb * 2**20),
                         progress=sys.stderr.isatty() and not args.quiet)
        if args.json:
            print(json.dumps(summary.to_dict() | {"store": store.safe_url}))
        else:
            print(f"{summary}\nstore: {store.safe_url}")
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def cmd_said(args) -> int:
    from .store import queries

    with _store(args) as store, store.engine.connect() as conn:
        entity_id = _entity_id(conn, args.entity)
        records = queries.said(conn, entity_id, limit=args.limit or None)
    _print(records, args, _statement_table)
    return EXIT_OK


def _filters(args, conn):
    from .store import Filters

    return Filters(query=getattr(args, "query", None),
                   speaker=_entity_id(conn, args.speaker, "speaker") if args.speaker else None,
                   since=check_period(args.since, "--since"), until=check_period(args.until, "--until"), kind=args.kind,
                   limit=args.limit or None)


def cmd_search(args) -> int:
    from .store import queries

    with _store(args) as store, store.engine.connect() as conn:
        records = queries.search(conn, _filters(args, conn))
    _print(records, args, _statement_table)
    return EXIT_OK


def _response_line(response: dict) -> str:
    """"  DISPUTES 0.93  2023-01-30  Dmitry Peskov  “It was a lie”  [title]"."""
    return f"    {RELATION_WORDS[response['type']]} {response['score']:.2f}  {_statement_line(response['statement'])}"


def _disputes_table(groups):
    if not groups:
        yield "(no disputes)"
    for group in groups:
        yield _statement_line(group["claim"]) if group["claim"] else "(no claim quoted)"
        for response in group["responses"]:
            yield _response_line(response)
            yield f"        evidence: {clip(response['evidence']['text'], 80)}"


def cmd_disputes(args) -> int:
    from .store import queries

    min_score = check_score(args.min_score, "--min-score")
    with _store(args) as store, store.engine.connect() as conn:
        filters = queries.RelationFilters(types=(args.type,) if args.type else None, min_score=min_score,
                                          entity=_entity_id(conn, args.entity) if args.entity else None)
        groups = queries.claim_groups(conn, filters, limit=args.limit or None)
    _print(groups, args, _disputes_table)
    return EXIT_OK


def _entities_table(result):
    yield f"{'id':>6}  {'statements':>10}  {'articles':>8}  name"
    for e in result["named"]:
        yield f"{e['id']:>6}  {e['statements']:>10}  {e['documents']:>8}  {e['name']} ({e['type']})"
    if result["unnamed"]:
        yield "unnamed sources, by whom they speak for:"
        for e in result["unnamed"]:
            yield f"{'':>6}  {e['statements']:>10}  {e['documents']:>8}  {e['affiliation']}"


def _entity_table(e):
    yield f"#{e['id']} {e['name']} ({e['type']}{', unnamed' if e['unnamed'] else ''}): " \
          f"{e['statements']} statements in {e['documents']} articles"
    yield "aliases: " + "; ".join(f"{a['name']} ({a['count']})" for a in e["aliases"])
    if e["descriptors"]:
        yield "descriptors: " + "; ".join(f"{d['name']} ({d['count']})" for d in e["descriptors"])


def cmd_entities(args) -> int:
    from .store import EntityEditError, linking, queries

    with _store(args) as store:
        if args.action is None:
            with store.engine.connect() as conn:
                _print(queries.top_entities(conn, args.top), args, _entities_table)
            return EXIT_OK
        with store.writing() as conn:  # an edit waits for an ingest's batch, and the other way round
            first = _entity_id(conn, args.entity)
            try:
                if args.action == "show":
                    _print(queries.entity(conn, first), args, _entity_table)
                    return EXIT_OK
                if args.action == "merge":
                    absorbed = _entity_id(conn, args.other)
                    linking.merge(conn, first, absorbed)
                    print(f"merged #{absorbed} into #{first}")
                else:
                    document = _document_id(conn, args.document) if args.document else None
                    if not (args.name or document):
                        raise UsageError("split needs --name ALIAS or --document DOCUMENT")
                    new = linking.split(conn, first, name=args.name, document_id=document)
                    print(f"split #{new} off #{first}")
            except EntityEditError as e:
                raise UsageError(str(e)) from None
    return EXIT_OK


def _claims_table(records):
    if not records:
        yield "(no claims)"
    for c in records:
        speaker = (c["speaker"] or {}).get("name") or "?"
        dates = f"{c['first_reported'] or '?'}..{c['last_reported'] or '?'}"
        yield (f"#{c['id']:<6} {len(c['reports']):>3} reports {c['documents']:>3} articles "
               f"{len(c['responses']):>3} responses  {dates:22}  {clip(speaker, 22):22}  {clip(c['text'], 80)}")


def _claim_table(c):
    speakers = ", ".join(f"{s['name']} (#{s['id']})" for s in c["speakers"]) or "?"
    yield f"claim #{c['id']}{' (shaped by hand)' if c['pinned'] else ''}: {speakers}"
    yield f"  {c['text']}"
    yield (f"  {len(c['reports'])} reports in {c['documents']} articles, {c['first_reported']} to "
           f"{c['last_reported']}; {len(c['responses'])} responses")
    from .store.claim_queries import timeline

    for e in timeline(c):
        outlet = e["document"]["source"] or e["document"]["title"] or e["document"]["id"]
        who = (e["speaker"] or {}).get("name") or "?"
        what = "REPORT  " if e["event"] == "report" else f"{RELATION_WORDS[e['event']]}"
        yield f"  {e['date'] or '????-??-??':10}  {what} {clip(who, 20):20}  {clip(e['text'], 70)}  " \
              f"[{clip(outlet, 30)}; statement {e['statement']}]"


def cmd_claims(args) -> int:
    from .store import claims, claim_queries

    _check_claim_ids(args)
    with _store(args) as store:
        if args.action is None:
            with store.engine.connect() as conn:
                filters = claim_queries.ClaimFilters(
                    entity=_entity_id(conn, args.entity) if args.entity else None,
                    since=check_period(args.since, "--since"), disputed=args.disputed,
                    min_reports=args.min_reports, limit=args.limit or None)
                _print(claim_queries.find_claims(conn, filters), args, _claims_table)
            return EXIT_OK
        with store.writing() as conn:  # an edit waits for an ingest's batch, and the other way round
            try:
                if args.action == "merge":
                    claims.merge(conn, _claim_id(args.claim), _claim_id(args.other))
                    print(f"merged #{_claim_id(args.other)} into #{_claim_id(args.claim)}")
                else:
                    document = _document_id(conn, args.document) if args.document else None
                    if not (args.statement or document):
                        raise UsageError("split needs --statement ID or --document DOCUMENT")
                    new = claims.split(conn, _claim_id(args.claim), statement_ids=args.statement or [],
                                       document_id=document)
                    print(f"split #{new} off #{_claim_id(args.claim)}")
            except claims.ClaimEditError as e:
                raise UsageError(str(e)) from None
    return EXIT_OK


def _claim_id(text: str) -> int:
    digits = text.strip().lstrip("#")
    if not (digits.isascii() and digits.isdigit()):
        raise UsageError(f"a claim is given by its number (#12 or 12), not {text!r}; see `quotegraph claims`")
    return int(digits)


def cmd_claim(args) -> int:
    from .store import claim_queries

    _check_claim_ids(args)
    with _store(args) as store, store.engine.connect() as conn:
        record = claim_queries.claim(conn, _claim_id(args.claim))
    if record is None:
        raise UsageError(f"no claim {args.claim}; see `quotegraph claims`")
    _print(record, args, _claim_table)
    return EXIT_OK


def _document_id(conn, name: str) -> int:
    from .store import queries

    found = queries.document_id(conn, name)
    if found is None:
        raise UsageError(f"no single document is {name!r}; give its key (URL or sha256:…)")
    return found


def cmd_export(args) -> int:
    from . import export
    from .store import queries

    if args.format == "parquet" and not args.out:
        raise UsageError("--format parquet needs --out FILE")
    filtered = any((args.query, args.speaker, args.since, args.until, args.kind))
    out = open(args.out, "w", encoding="utf-8", newline="") if args.out and args.format != "parquet" else sys.stdout
    try:
        with _store(args) as store, store.engine.connect() as conn:
            filters = _filters(args, conn)
            if args.format == "jsonl" and not filtered:
                n = export.write_jsonl(queries.document_records(conn), out)
                what = "documents"
            else:
                rows = queries.each_statement(conn, filters)
                n = {"jsonl": lambda: export.write_jsonl(rows, out), "csv": lambda: export.write_csv(rows, out),
                     "parquet": lambda: export.write_parquet(rows, args.out)}[args.format]()
                what = "statements"
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"quotegraph: exported {n} {what}", file=sys.stderr)
    return EXIT_OK


def cmd_serve(args) -> int:
    from .web.app import serve
    from .web.security import ConfigError

    if args.max_mb <= 0:
        raise UsageError("--max-mb must be positive")
    try:
        serve(args.db, args.host, args.port, private=args.private, max_body=int(args.max_mb * 2**20))
    except ConfigError as e:  # raised before the server starts
        raise UsageError(str(e)) from None
    return EXIT_OK


# ---------------------------------------------------------------- parsers

def _common(p: argparse.ArgumentParser, formats=("table", "json", "jsonl"), nested: bool = False) -> None:
    # Options repeated on a nested sub-command must not reset what was given before it.
    default = argparse.SUPPRESS if nested else None
    p.add_argument("--db", default=default,
                   help="store: a SQLite file or URL, or postgresql://… (default: $QUOTEGRAPH_DB, else quotegraph.db)")
    if formats:
        p.add_argument("--format", choices=formats, default=default,
                       help="default: table on a terminal, json otherwise")


def _filter_flags(p: argparse.ArgumentParser, limit: int | None = 50) -> None:
    p.add_argument("--speaker", help="only statements by this entity (name, alias or #id)")
    p.add_argument("--since", help="from this date on (YYYY-MM-DD, YYYY-MM or YYYY)")
    p.add_argument("--until", help="up to this date, inclusive")
    p.add_argument("--kind", choices=("direct", "indirect", "mixed"))
    p.add_argument("--limit", type=int, default=limit, help=f"at most this many (default {limit}; 0: all)")


def add_store_commands(sub) -> None:
    from .ingest import DEFAULT_BATCH, DEFAULT_MAX_BYTES

    ing = command(sub, "ingest", "analyse documents and keep them in the store",
                  "quotegraph ingest examples/ --published 2023-01-31")
    ing.add_argument("paths", nargs="+", metavar="PATH",
                     help=".txt, .html/.htm, .jsonl, .jsonl.gz files, folders, globs, or - for stdin")
    _common(ing, formats=())
    ing.add_argument("--published", help="publication date YYYY-MM-DD for documents that do not give one")
    ing.add_argument("--reanalyze", action="store_true", help="analyse and replace documents already stored")
    ing.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    ing.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="documents a transaction")
    ing.add_argument("--max-mb", type=float, default=DEFAULT_MAX_BYTES / 2**20,
                     help="skip documents whose text is larger than this, in MB of UTF-8 (default %(default)g: "
                          "the one document limit)")
    ing.add_argument("--json", action="store_true", help="print the summary as JSON")
    ing.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    add_mode(ing)
    ing.set_defaults(func=cmd_ingest)

    sd = command(sub, "said", "what an entity said, in date order", "quotegraph said 'Dmitry Peskov'")
    sd.add_argument("entity", metavar="ENTITY", help="a name, alias or #id")
    _common(sd)
    sd.add_argument("--limit", type=int, default=0, help="at most this many (default: all)")
    sd.set_defaults(func=cmd_said)

    se = command(sub, "search", "full-text search over statements, newest first",
                 "quotegraph search 'missile -Ukraine' --since 2023-01",
                 description="Full-text search over statements, newest first.\n\n" + SEARCH_GRAMMAR)
    se.add_argument("query", metavar="QUERY", help='words that must all occur; "a phrase"; a OR b; -word or '
                                                   'NOT word; prefix* (the grammar above)')
    _common(se)
    _filter_flags(se)
    se.set_defaults(func=cmd_search)

    di = command(sub, "disputes", "claims, newest first, each with every response to it: who disputes, "
                                  "supports or gives another account of it, and who declines to comment",
                 "quotegraph disputes --entity Kremlin --min-score 0.5")
    di.add_argument("--entity", help="only where this entity responds or is responded to")
    di.add_argument("--type", choices=typing.get_args(RelationType), help="only this kind of response (default: all)")
    di.add_argument("--min-score", metavar="X", help="only responses the relation model scores X (0-1) or more")
    di.add_argument("--limit", type=int, default=50, help="at most this many claims (default 50; 0: all)")
    _common(di)
    di.set_defaults(func=cmd_disputes)

    en = command(sub, "entities", "the most quoted entities; show, merge or split one",
                 "quotegraph entities show 'Boris Johnson'")
    _common(en)
    en.add_argument("--top", type=int, default=20, help="how many (default 20)")
    actions = en.add_subparsers(dest="action", metavar="ACTION")
    show = command(actions, "show", "an entity's aliases, descriptors and counts",
                   "quotegraph entities show 'Boris Johnson'")
    show.add_argument("entity", metavar="ENTITY")
    merge = command(actions, "merge", "make B part of A (for articles stored and to come)",
                    "quotegraph entities merge Kremlin 'Dmitry Peskov'")
    merge.add_argument("entity", metavar="A")
    merge.add_argument("other", metavar="B")
    split = command(actions, "split", "move some of an entity's mentions to a new entity",
                    "quotegraph entities split Kremlin --name 'Dmitry Peskov'")
    split.add_argument("entity", metavar="ENTITY")
    split.add_argument("--name", help="the mentions written this way")
    split.add_argument("--document", help="the mentions in this document (its key, URL or id)")
    for p in (show, merge, split):
        _common(p, nested=True)
    en.set_defaults(func=cmd_entities)

    cl = command(sub, "claims", "claims across articles, the most reported first; merge or split them by hand",
                 "quotegraph claims --entity 'Boris Johnson' --disputed")
    cl.add_argument("--entity", help="only claims this entity made (name, alias or #id)")
    cl.add_argument("--since", help="only claims reported on or after this date (YYYY-MM-DD, YYYY-MM or YYYY)")
    cl.add_argument("--disputed", action="store_true", help="only claims someone disputes")
    cl.add_argument("--min-reports", type=int, default=1, help="only claims reported at least this often (default 1)")
    cl.add_argument("--limit", type=int, default=50, help="at most this many (default 50; 0: all)")
    _common(cl)
    actions = cl.add_subparsers(dest="action", metavar="ACTION")
    cmerge = command(actions, "merge", "make claim B part of claim A (for articles stored and to come)",
                     "quotegraph claims merge 5 6")
    cmerge.add_argument("claim", metavar="A")
    cmerge.add_argument("other", metavar="B")
    csplit = command(actions, "split", "move some of a claim's reports to a claim of their own, kept apart",
                     "quotegraph claims split 5 --statement 6")
    csplit.add_argument("claim", metavar="CLAIM")
    csplit.add_argument("--statement", type=int, action="append", help="a report's statement id (repeat for more)")
    csplit.add_argument("--document", help="the reports in this document (its key, URL or id)")
    for p in (cmerge, csplit):
        _common(p, formats=(), nested=True)
    cl.set_defaults(func=cmd_claims)

    one = command(sub, "claim", "one claim's timeline: each report and each response, by date and outlet",
                  "quotegraph claim 5")
    one.add_argument("claim", metavar="ID")
    _common(one)
    one.set_defaults(func=cmd_claim)

    sv = command(sub, "serve", "the web app and HTTP API over the store", "quotegraph serve --port 8000")
    _common(sv, formats=())
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--private", action="store_true", help="reading needs the token too ($QUOTEGRAPH_TOKEN)")
    sv.add_argument("--max-mb", type=float, default=5, help="largest request body (default 5 MB)")
    sv.set_defaults(func=cmd_serve)

    ex = command(sub, "export", "the store, or a query's statements, as JSONL, CSV or Parquet",
                 "quotegraph export --format csv --query missile --out statements.csv")
    _common(ex, formats=())
    ex.add_argument("--format", choices=("jsonl", "csv", "parquet"), default="jsonl")
    ex.add_argument("--out", help="file to write (default: standard output; needed for parquet)")
    ex.add_argument("--query", help="only statements matching this full-text query")
    _filter_flags(ex, limit=0)
    ex.set_defaults(func=cmd_export)
