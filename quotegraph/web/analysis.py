"""Analysis for the web app: anyone may analyse a text, so a request without the token is bounded.

Such a text is analysed in a worker process, with a length limit, a time limit and a memory cap, and
abandoned as soon as its client leaves. Why a process: analysis is CPU-bound Python that no other
thread can interrupt, and a quote-dense text makes it slow and large; a process can be killed at any
moment, and the kernel caps its memory. Workers are started with "spawn" (forking a multi-threaded
server is unsafe), load the model once, analyse one text at a time, and one that is killed is replaced
at once. A request with the bearer token is trusted: it is analysed in the server's own process, as
``POST /api/documents`` does, within the general body limit only.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import signal
import threading
import time
from dataclasses import dataclass

import anyio
from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from ..inputs import InputError
from .security import bearer_matches

log = logging.getLogger("quotegraph.web")
POLL_SECONDS = 0.05  # how often a waiting request looks at its worker and its client


@dataclass(frozen=True)
class OpenLimits:
    """The bounds on analysis for requests without the token (docs/web.md, "Security and limits")."""

    chars: int = 100_000  # the longest text; a quote-dense one this long takes about 4 s and 550 MB
    seconds: float = 30.0  # the longest analysis, counted from when a worker takes the text
    memory_mb: int = 800  # a worker's address space (the loaded model takes about 330 MB of it)
    workers: int = 1  # analyses at a time; each worker holds the model (about 160 MB resident)
    wait_seconds: float = 30.0  # the longest wait for a free worker

    def too_long(self, text: str) -> str | None:
        if len(text) <= self.chars:
            return None
        return (f"without the token, texts of up to {self.chars:,} characters are analysed; this one has "
                f"{len(text):,}. Send 'Authorization: Bearer TOKEN', or run `quotegraph extract` on your own machine")


class ClientLeft(Exception):
    """The client went away while its text was waiting or being analysed."""


async def analysis(request: Request, text: str, published: str | None, doc_id: str | None) -> dict:
    """The analysis of ``text`` as the output contract's document. Raises InputError for text that cannot be
    analysed, and HTTPException when a request without the token goes beyond the open limits."""
    if bearer_matches(request):
        from ..api import analyze

        return await run_in_threadpool(lambda: analyze(text, published=published, id=doc_id).to_dict())
    workers: AnalysisWorkers = request.app.state.analysis_workers
    problem = workers.limits.too_long(text)
    if problem:
        raise HTTPException(413, problem)
    try:
        return await workers.analyse((text, published, doc_id), request.is_disconnected)
    except ClientLeft:
        log.info("abandoned the analysis of %s characters: the client left", f"{len(text):,}")
        raise HTTPException(499, "the client left") from None  # nobody reads it; the access log shows it


# ---------------------------------------------------------------- the server's side

class _Worker:
    """One worker process and the server's end of the pipe to it."""

    def __init__(self, context, limits: OpenLimits):
        self.conn, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(child_end, limits.memory_mb, limits.seconds),
                                       name="quotegraph-analysis", daemon=True)
        self.process.start()
        child_end.close()
        self.ready = False

    def poll_ready(self) -> bool:
        """Whether the worker has loaded the model; raises HTTPException if it could not."""
        if not self.ready and self.conn.poll():
            try:
                kind, payload, _ = self.conn.recv()
            except EOFError:
                kind, payload = "failed", f"it stopped (exit code {self.process.exitcode})"
            if kind != "ready":
                raise HTTPException(503, f"analysis is not available: the worker could not start: {payload}")
            self.ready = True
        return self.ready

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class AnalysisWorkers:
    """Up to ``limits.workers`` worker processes, started when first needed. Usable from any event loop
    and thread (the test client runs a loop per request): a lock and polling, not asyncio primitives."""

    def __init__(self, limits: OpenLimits = OpenLimits()):
        self.limits = limits
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._living = 0

    async def analyse(self, job: tuple, client_left) -> dict:
        worker = await self._take(client_left)
        healthy = False
        try:
            answer = await self._run(worker, job, client_left)
            healthy = not answer[2]  # a worker that grew large retires after its answer
        finally:
            self._give_back(worker, healthy)
        kind, payload, _ = answer
        if kind == "invalid":
            raise InputError(payload)
        if kind == "memory":
            raise HTTPException(413, f"analysing this text needed more than the {self.limits.memory_mb} MB allowed "
                                     "without the token: send a shorter text, or 'Authorization: Bearer TOKEN'")
        return payload

    async def _take(self, client_left) -> _Worker:
        deadline = time.monotonic() + self.limits.wait_seconds
        while True:
            worker = self._ready_worker()
            if worker:
                return worker
            if await client_left():
                raise ClientLeft()
            if time.monotonic() > deadline:
                raise HTTPException(503, f"every analysis worker has been busy for {self.limits.wait_seconds:g} s: "
                                         "try again in a minute", headers={"Retry-After": "60"})
            await anyio.sleep(POLL_SECONDS)

    def _ready_worker(self) -> _Worker | None:
        with self._lock:
            for gone in [w for w in self._idle if w.ready and not w.process.is_alive()]:
                self._discard(gone)  # killed while idle, by the system: replaced below
            if not self._idle and self._living < self.limits.workers:
                self._idle.append(_Worker(self._context, self.limits))
                self._living += 1
            for worker in self._idle:
                try:
                    ready = worker.poll_ready()
                except HTTPException:  # it could not load the model: the next request tries a fresh one
                    self._discard(worker)
                    raise
                if ready:
                    self._idle.remove(worker)
                    return worker
        return None

    def _discard(self, worker: _Worker) -> None:
        """Called with the lock held."""
        if worker in self._idle:
            self._idle.remove(worker)
        self._living -= 1
        worker.stop()

    async def _run(self, worker: _Worker, job: tuple, client_left) -> tuple:
        worker.conn.send(job)
        deadline = time.monotonic() + self.limits.seconds
        while not worker.conn.poll():
            if await client_left():
                raise ClientLeft()
            if time.monotonic() > deadline:
                raise HTTPException(503, f"the analysis took longer than {self.limits.seconds:g} s, the limit "
                                         "without the token: send a shorter text, or 'Authorization: Bearer TOKEN'")
            await anyio.sleep(POLL_SECONDS)
        try:
            return worker.conn.recv()
        except EOFError:
            log.error("an analysis worker stopped with exit code %s", worker.process.exitcode)
            raise HTTPException(503, "the analysis stopped before it finished (it may have needed more memory "
                                     "than allowed): send a shorter text") from None

    def _give_back(self, worker: _Worker, healthy: bool) -> None:
        """A worker that answered goes back to the idle list; any other (abandoned, timed out, dead,
        grown large) is killed, and the next request starts a fresh one."""
        with self._lock:
            if healthy:
                self._idle.append(worker)
            else:
                self._discard(worker)

    def close(self) -> None:
        with self._lock:
            idle, self._idle, self._living = self._idle, [], 0
        for worker in idle:
            worker.stop()


# ---------------------------------------------------------------- the worker's side

def _serve(conn, memory_mb: int, seconds: float) -> None:
    """A worker process: load the model, cap memory, then analyse (text, published, id) jobs until the
    server closes the pipe. Answers (kind, payload, retiring)."""
    try:
        from ..api import analyze

        analyze("“Ready,” the worker said.")  # load the model now, not in the first client's time
    except Exception as e:  # the model is missing, or broken: the server says so to the client
        conn.send(("failed", f"{type(e).__name__}: {e}", True))
        return
    cap = memory_mb * 2**20
    _limit_memory(cap)
    conn.send(("ready", None, False))
    while True:
        try:
            text, published, doc_id = conn.recv()
        except EOFError:  # the server has gone
            return
        _alarm(seconds)
        try:
            answer = ("ok", analyze(text, published=published, id=doc_id).to_dict())
        except InputError as e:
            answer = ("invalid", str(e))
        except MemoryError:
            answer = ("memory", None)
        _alarm(0)
        retiring = _peak_resident_bytes() > cap // 2  # memory a large analysis leaves behind is not reused well
        conn.send((*answer, retiring))
        if retiring:
            return


def _limit_memory(cap: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit still holds
        log.warning("cannot cap the memory of analysis workers here")


def _alarm(seconds: float) -> None:
    """Ends this worker a little after the time limit, should the server that enforces it be gone."""
    if hasattr(signal, "alarm"):
        signal.alarm((math.ceil(seconds) + 5) if seconds else 0)


def _peak_resident_bytes() -> int:
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    except ImportError:
        return 0
