"""The ``quotegraph`` command: a thin layer over the library.

Every user error ends in one line on standard error and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import nullcontext
from typing import Iterable, Iterator

from . import __version__, modes
from .cli_common import EXIT_INTERRUPTED, EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, UsageError, add_mode, command
from .cli_common import output_format
from .cli_common import die as _die
from .inputs import InputError, check_published
from .io import Document, Failure, read_path
from .nlp import ModelNotInstalled
from .sentences import ModelError

# ---------------------------------------------------------------- extract

def cmd_extract(args) -> int:
    try:
        published = check_published(args.published)
    except InputError as e:
        return _die(str(e))
    fmt = output_format(args)
    failures: list[Failure] = []

    def documents() -> Iterator[Document]:
        for path in args.paths:
            for item in read_path(path, published):
                if isinstance(item, Failure):
                    failures.append(item)
                    print(f"quotegraph: skipped {item}", file=sys.stderr)
                else:
                    yield item

    from .parallel import analyze_documents

    results = analyze_documents(documents(), jobs=args.jobs, failures=failures)
    write = {"json": _write_json, "jsonl": _write_jsonl, "table": _write_table}[fmt]
    count = write(results, sys.stdout, failures, with_text=args.with_text)
    if len(failures) > 1 and not count:  # one failure has said so in its own line already
        return _die(f"no document could be analysed ({len(failures)} failed)", EXIT_SOME_FAILED)
    return EXIT_SOME_FAILED if failures else EXIT_OK


def _contract(analysis, with_text: bool) -> dict:
    """The document object; with the text it indexes when asked (an HTML page's text is not the file)."""
    return analysis.to_dict() | ({"text": analysis.text} if with_text else {})


def _write_json(results: Iterable, out, failures: list = (), with_text: bool = False) -> int:
    docs = [_contract(a, with_text) for a in results]
    # one object for one document; a list for a batch, even when only one of it could be analysed
    payload = docs[0] if len(docs) == 1 and not failures else docs
    json.dump(payload, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(docs)


def _write_jsonl(results: Iterable, out, failures: list = (), with_text: bool = False) -> int:
    n = 0
    for a in results:
        out.write(json.dumps(_contract(a, with_text), ensure_ascii=False) + "\n")
        out.flush()
        n += 1
    return n


def _write_table(results: Iterable, out, failures: list = (), with_text: bool = False) -> int:
    from .table import render

    n = 0
    for a in results:
        out.write(render(a) + "\n")
        n += 1
    return n


# ---------------------------------------------------------------- evaluate

def cmd_evaluate(args) -> int:
    from .evaluate import load_gold, score
    from .evaluate_relations import check_articles, load_links, score_relations

    if args.clear_only and not args.relations:
        return _die("--clear-only needs --relations LINKS.jsonl")
    try:
        gold = load_gold(args.gold)
    except (OSError, ValueError) as e:
        return _die(f"cannot read gold file: {e}")
    gold_docs = {g["id"]: g for g in gold}
    try:
        links = load_links(args.relations) if args.relations else None
        if links is not None:
            check_articles(links, gold_docs)
    except (OSError, ValueError) as e:
        return _die(f"cannot read links file: {e}")
    try:
        sink = open(args.predictions, "w", encoding="utf-8") if args.predictions else nullcontext()
    except OSError as e:
        return _die(f"cannot write predictions: {e}")
    with sink as out:
        predictions = _predict(gold, out, args.jobs)
    relations = score_relations(gold_docs, predictions, links, args.clear_only) if links is not None else None
    _print_figures(score(gold_docs, predictions), relations, len(gold), args.json)
    return EXIT_OK


def _predict(gold: list[dict], out, jobs: int | None) -> dict[str, dict]:
    """The pipeline's analysis of each gold article, by id; also written to ``out`` (JSONL) unless None."""
    from .parallel import analyze_documents

    docs = (Document(id=g["id"], text=g["text"], published=g.get("publication_date")) for g in gold)
    predictions = {}
    for analysis in analyze_documents(docs, jobs=jobs):
        d = analysis.to_dict()
        predictions[d["id"]] = d
        if out:
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
    return predictions


def _print_figures(totals: dict, relations: dict | None, documents: int, as_json: bool) -> None:
    """Attribution figures; then, when relations were scored, their figures (in text: the last line)."""
    from .evaluate import report
    from .evaluate_relations import relations_json, relations_line

    if as_json:
        figures = {k: v.to_dict() for k, v in totals.items()} | {"documents": documents}
        print(json.dumps(figures | ({"relations": relations_json(relations)} if relations is not None else {})))
        return
    print(report(totals, documents))
    if relations is not None:
        print(relations_line(relations))


def cmd_train(args) -> int:
    from .train import main as train_main

    return train_main([args.train] + (["--out", args.out] if args.out else []))


# ---------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quotegraph", description="Who said what, about whom, when - in news text.")
    parser.add_argument("--version", action="version", version=f"quotegraph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ex = command(sub, "extract", "attributed statements of articles (.txt, .html, .jsonl, .jsonl.gz or - for stdin)",
                 "quotegraph extract examples/kremlin-johnson-missile.txt --published 2023-01-31 --format table")
    ex.add_argument("paths", nargs="+", metavar="PATH")
    ex.add_argument("--published", help="publication date YYYY-MM-DD (for .txt and stdin)")
    ex.add_argument("--format", choices=("json", "jsonl", "table"),
                    help="output format (default: table on a terminal, json otherwise)")
    ex.add_argument("--jobs", "-j", type=int, default=None,
                    help="worker processes (default: all cores, or $QUOTEGRAPH_JOBS; 1 = no workers)")
    ex.add_argument("--with-text", action="store_true",
                    help="add each document's text to the JSON (for HTML: the article text the offsets index)")
    add_mode(ex)
    ex.set_defaults(func=cmd_extract)

    ev = command(sub, "evaluate", "score the extractor against gold attributions (PolNeAR layout)",
                 "quotegraph evaluate ../shared/data/polnear/dev.jsonl "
                 "--relations ../shared/data/polnear/relations-dev.jsonl")
    ev.add_argument("gold", metavar="GOLD.jsonl")
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    ev.add_argument("--predictions", metavar="OUT.jsonl", help="also write the predictions")
    ev.add_argument("--relations", metavar="LINKS.jsonl",
                    help="also score relations (disputes, supports, declines_comment) against these gold links")
    ev.add_argument("--clear-only", action="store_true", help="with --relations: only the links marked clear")
    ev.add_argument("--jobs", "-j", type=int, default=None)
    add_mode(ev)
    ev.set_defaults(func=cmd_evaluate)

    tr = command(sub, "train", "retrain the cue model from gold attributions (PolNeAR train)",
                 "quotegraph train ../shared/data/polnear/train.jsonl --out /tmp/cue_model.json")
    tr.add_argument("train", metavar="TRAIN.jsonl")
    tr.add_argument("--out", help="model file to write (default: the packaged one)")
    tr.set_defaults(func=cmd_train)

    from .cli_batch import add_batch_commands
    from .cli_store import add_store_commands

    add_store_commands(sub)
    add_batch_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        return _die("--jobs must be 1 or more")
    if getattr(args, "mode", None):
        os.environ[modes.VARIABLE] = args.mode  # this process and the workers it starts
    try:
        modes.current()
    except ValueError as e:
        return _die(f"${modes.VARIABLE}: {e}")
    from .store import SchemaTooNew, StoreError

    try:
        return args.func(args)
    except (ModelNotInstalled, ModelError, InputError, UsageError, StoreError, SchemaTooNew) as e:
        return _die(str(e))
    except KeyboardInterrupt:
        return _die("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    except MemoryError:
        return _die("out of memory; give smaller documents or fewer --jobs")


if __name__ == "__main__":
    sys.exit(main())
