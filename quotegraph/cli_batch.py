"""The batch commands: ``batch`` (analyse a corpus on Dask into Parquet) and ``load`` (into the store)."""

from __future__ import annotations

import json
import sys
import time

from .cli_common import EXIT_OK, EXIT_SOME_FAILED, UsageError, add_mode, command


def cmd_batch(args) -> int:
    from .batch import run_batch, start_client

    if args.scheduler and args.workers:
        raise UsageError("give --scheduler (an existing cluster) or --workers (a local one), not both")
    if args.partition_size < 1 or (args.workers is not None and args.workers < 1):
        raise UsageError("--partition-size and --workers must be 1 or more")
    started = time.perf_counter()
    try:
        client = start_client(args.scheduler, args.workers)
    except (OSError, TimeoutError) as e:
        raise UsageError(f"cannot reach the Dask scheduler {args.scheduler}: {e}") from None
    print(f"quotegraph: Dask dashboard at {client.dashboard_link}", file=sys.stderr)
    try:
        result = run_batch(args.inputs, args.out, client, args.partition_size,
                           progress=sys.stderr.isatty() and not args.quiet)
    except Exception as e:  # a task that failed for good (KilledWorker after retries, an unwritable --out)
        raise UsageError(f"batch stopped ({type(e).__name__}: {e}); what was written is kept: rerun the same "
                         "command to resume") from None
    finally:
        cluster = client.cluster if not args.scheduler else None
        client.close()
        if cluster is not None:
            cluster.close()
    totals = result.manifest["totals"]
    summary = {"partitions_run": result.ran, "partitions_skipped": result.skipped, **totals,
               "seconds": round(time.perf_counter() - started, 1), "manifest": f"{args.out.rstrip('/')}/manifest.json"}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{totals['documents']} documents analysed ({totals['documents_read']} read), {totals['statements']} "
              f"statements, {totals['failures']} failures; {result.ran} partitions run, {result.skipped} already "
              f"done; {summary['seconds']} s\nmanifest: {summary['manifest']}")
        for f in result.manifest["failures"][:20]:
            print(f"  failed: {f['id']}: {f['reason']}")
    return EXIT_SOME_FAILED if totals["failures"] else EXIT_OK


def cmd_load(args) -> int:
    from .batch import load_batch
    from .batch.run import done_entries
    from .store import Store

    if not done_entries(args.dir):
        raise UsageError(f"{args.dir} holds no batch output (no _done/ entries); run `quotegraph batch` first")
    with Store(args.db) as store:
        counts = load_batch(args.dir, store)
        counts["store"] = store.safe_url
    print(json.dumps(counts) if args.json else
          f"{counts['documents']} documents in {counts['partitions']} partitions: {counts['new']} new, "
          f"{counts['updated']} updated, {counts['unchanged']} unchanged; {counts['statements']} statements stored "
          f"in {counts['seconds']} s\nstore: {counts['store']}")
    return EXIT_OK


def add_batch_commands(sub) -> None:
    from .batch.plan import DEFAULT_PARTITION_SIZE

    b = command(sub, "batch", "analyse a corpus on a Dask cluster into Parquet shards",
                "quotegraph batch examples/ --out batch-out --workers 2")
    b.add_argument("inputs", nargs="+", metavar="INPUT",
                   help=".jsonl, .jsonl.gz, .parquet, folders of .txt/.html; local paths or fsspec URLs")
    b.add_argument("--out", required=True, metavar="DIR", help="output folder or URL (shards and manifest.json)")
    where = b.add_argument_group("where it runs (default: a local cluster, one worker per core)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, e.g. tcp://10.0.0.5:8786")
    where.add_argument("--workers", type=int, help="worker processes of the local cluster")
    b.add_argument("--partition-size", type=int, default=DEFAULT_PARTITION_SIZE,
                   help="documents a task (default %(default)s)")
    b.add_argument("--json", action="store_true", help="print the summary as JSON")
    b.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    add_mode(b)
    b.set_defaults(func=cmd_batch)

    ld = command(sub, "load", "store a batch's output (idempotent)", "quotegraph load batch-out")
    ld.add_argument("dir", metavar="DIR")
    ld.add_argument("--db", help="store (default: $QUOTEGRAPH_DB, else quotegraph.db)")
    ld.add_argument("--json", action="store_true")
    ld.set_defaults(func=cmd_load)
