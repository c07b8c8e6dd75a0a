"""Quote-dense text: does analysis stay linear when every sentence is a claim or a denial of one?

A paragraph-free text made of one claim and one denial repeated (the hostile input of issue 13),
analysed in one process at each size, each size timed over several rounds (median reported), with
the process's peak memory. Linear code takes twice as long for twice the text.

    python benchmarks/bench_dense.py                 # 50 KB, 100 KB, 1 MB
    python benchmarks/bench_dense.py --kb 50 100 --rounds 5
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import quotegraph

SENTENCE = ('"The plan is working," the minister said on Monday. '
            'Critics disputed that claim, saying it was "nonsense". ')


def dense_text(kb: int) -> str:
    return SENTENCE * (kb * 1024 // len(SENTENCE))


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, nargs="+", default=[50, 100, 1000], help="sizes in KB")
    parser.add_argument("--rounds", type=int, default=3, help="rounds for sizes under 500 KB (larger: one)")
    args = parser.parse_args(argv)
    quotegraph.analyze(SENTENCE)  # load the pipeline outside the timings
    medians = {}
    for kb in args.kb:
        text = dense_text(kb)
        times = []
        for _ in range(args.rounds if kb < 500 else 1):
            start = time.perf_counter()
            analysis = quotegraph.analyze(text)
            times.append(time.perf_counter() - start)
        medians[kb] = statistics.median(times)
        print(f"{kb:>5} KB  {medians[kb]:7.2f} s (median of {len(times)})  {len(analysis.statements):>6} statements"
              f"  {len(analysis.relations):>6} relations  peak {peak_mb()} MB", flush=True)
    sizes = sorted(medians)
    for small, big in zip(sizes, sizes[1:]):
        print(f"{big} KB / {small} KB: {medians[big] / medians[small]:.2f} x the time for {big / small:.1f} x the text")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
