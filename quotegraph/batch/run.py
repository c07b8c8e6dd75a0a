"""``quotegraph batch``: analyse a corpus on a Dask cluster, one task per partition, into Parquet shards.

Each worker process loads the spaCy pipeline once (on its first task) and keeps it. A task reads its
partition, analyses every document (one that fails is recorded, the others go on), writes its shards
through temporary names and then its manifest entry, ``_done/PARTITION.json``: the entry is the
commit. A rerun plans the same partitions and skips those with an entry, so an interrupted run resumes
where it stopped, and a task that Dask reruns after losing a worker rewrites the same files: every
document ends up in the output exactly once.

    OUT/statements/PARTITION.parquet   entities/…  relations/…  times/…  documents/…
    OUT/_done/PARTITION.json           one partition's entry: what it read, counts, failures
    OUT/manifest.json                  inputs, partitions, totals, failures, versions (at the end)
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field

from .. import modes
from ..io import Failure
from ..progress import Progress
from . import shards
from .plan import DEFAULT_PARTITION_SIZE, Partition, filesystem, plan

MANIFEST_VERSION = 1


def _join(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *parts])


def run_partition(partition: Partition, out: str, mode: str | None = None) -> dict:
    """One task, on a worker: read, analyse (in ``mode``, given by the client: a remote worker does not
    share its environment), write shards, then the entry. Returns the entry."""
    from ..parallel import analyze_one
    from ..store.db import document_key

    started = time.perf_counter()
    analysed, failures, read = [], [], 0
    for item in _documents(partition):
        read += 1
        result = item if isinstance(item, Failure) else analyze_one(item, mode)
        if isinstance(result, Failure):
            failures.append({"id": result.id, "reason": result.reason})
        else:
            analysed.append((item, document_key(item), result.to_dict()))
    fs, root = filesystem(out)
    tables = shards.rows(analysed)
    for table in shards.TABLES:
        fs.makedirs(_join(root, table), exist_ok=True)
    files = shards.write(tables, lambda table: _join(root, table, f"{partition.id}.parquet"), fs)
    entry = {"partition": partition.to_dict(), "documents_read": read, "documents": len(analysed),
             "statements": len(tables["statements"]), "failures": failures, "files": files,
             "seconds": round(time.perf_counter() - started, 3), "worker_pid": os.getpid(), "mode": modes.current(mode)}
    _write_json(fs, _join(root, "_done", f"{partition.id}.json"), entry)
    return entry


def _documents(partition: Partition):
    from .plan import read

    try:
        yield from read(partition)
    except Exception as e:  # an input that vanished or broke midway: recorded, not fatal
        yield Failure(partition.url, f"stopped reading ({type(e).__name__}: {e})")


def _write_json(fs, path: str, value) -> None:
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(path + ".tmp", "w") as f:
        json.dump(value, f, ensure_ascii=False, indent=1)
    fs.mv(path + ".tmp", path)


def done_entries(out: str) -> dict[str, dict]:
    """Entries of the partitions already written to ``out``, by partition id."""
    fs, root = filesystem(out)
    done = _join(root, "_done")
    if not fs.exists(done):
        return {}
    entries = {}
    for path in fs.find(done):
        if path.endswith(".json"):
            with fs.open(path, "r") as f:
                entry = json.load(f)
            entries[entry["partition"]["id"]] = entry
    return entries


@dataclass
class BatchResult:
    manifest: dict
    skipped: int = 0
    ran: int = 0
    failures: list = field(default_factory=list)


def _versions() -> dict:
    import dask
    import distributed
    import pyarrow

    from .. import __version__
    from ..nlp import model_name

    return {"quotegraph": __version__, "dask": dask.__version__, "distributed": distributed.__version__,
            "pyarrow": pyarrow.__version__, "model": model_name()}


def start_client(scheduler: str | None = None, workers: int | None = None):
    """A Dask client: connected to ``scheduler``, or to a local cluster of ``workers`` processes
    (default: one per core), each single-threaded (spaCy's parse holds the GIL)."""
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler)
    from ..parallel import default_jobs

    cluster = LocalCluster(n_workers=workers or default_jobs(), threads_per_worker=1, processes=True,
                           dashboard_address="127.0.0.1:0", silence_logs=40)
    return Client(cluster)


def run_batch(inputs: list[str], out: str, client, partition_size: int = DEFAULT_PARTITION_SIZE,
              progress: bool = False) -> BatchResult:
    """Analyse every input document on the client's cluster into ``out``; skip partitions done before."""
    from distributed import as_completed

    partitions, problems = plan(inputs, partition_size)
    fs, root = filesystem(out)
    fs.makedirs(root, exist_ok=True)  # fails here, in one clear error, when --out cannot be written
    done = done_entries(out)
    todo = [p for p in partitions if p.id not in done]
    result = BatchResult(manifest={}, skipped=len(partitions) - len(todo), ran=len(todo))
    sizes = [p.size for p in partitions]
    by_documents = all(n is not None for n in sizes)
    # documents done, rate and ETA; counted in partitions where a .jsonl.gz hides how many documents there are
    bar = Progress(progress, sum(sizes) if by_documents else len(partitions), "doc" if by_documents else "partition",
                   "batch", initial=sum(e["documents_read"] for e in done.values()) if by_documents else result.skipped)
    futures = [client.submit(run_partition, p, out, modes.current(), key=f"quotegraph-{p.id}", pure=False, retries=2)
               for p in todo]
    try:
        for future in as_completed(futures):
            entry = future.result()
            done[entry["partition"]["id"]] = entry
            if by_documents:
                bar.step(entry["documents_read"])
            else:
                bar.step(1, documents=sum(e["documents"] for e in done.values()))
    finally:
        bar.close()
    result.manifest = _manifest(inputs, out, partitions, done, problems)
    _write_json(fs, _join(root, "manifest.json"), result.manifest)
    return result


def _manifest(inputs, out, partitions, done, problems) -> dict:
    entries = [done[p.id] for p in partitions if p.id in done]
    failures = [{"id": f.id, "reason": f.reason} for f in problems]
    failures += [f for e in entries for f in e["failures"]]
    return {
        "manifest_version": MANIFEST_VERSION, "inputs": list(inputs), "output": out, "versions": _versions(),
        "partitions": [e["partition"] | {"documents": e["documents"], "statements": e["statements"],
                                         "failures": len(e["failures"]), "seconds": e["seconds"]} for e in entries],
        "totals": {"partitions": len(partitions), "documents_read": sum(e["documents_read"] for e in entries),
                   "documents": sum(e["documents"] for e in entries),
                   "statements": sum(e["statements"] for e in entries), "failures": len(failures)},
        "failures": failures,
    }
