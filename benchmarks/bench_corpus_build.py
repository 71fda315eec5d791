"""Build throughput and peak memory over generated article corpora, by number of workers.

    python benchmarks/bench_corpus_build.py --sizes 1000,10000 --workers 1,2,4
    python benchmarks/bench_corpus_build.py --sizes 1000,10000,100000   # the 100k corpus takes long

For each corpus size (English and French articles from `corpus.py`) and each worker count, runs the
real `kg build DIR -o OUT --no-cache --workers N` in a child process and reports wall time, articles
per second, the ratio to the single-process build of the same corpus (the baseline), and the peak
resident memory of the main process and of the largest worker (`getrusage` of the finished
children: the largest of them). A second table shows how peak memory grows with the corpus: the
pipeline streams articles (each is read when a worker is free, extracted and dropped) and keeps
entity mentions and claims in a temporary SQLite file (`kg.factstore`) until the graph is
written, so memory should grow sub-linearly with the number of articles: what stays in memory
is the resolved entities and the diagnostics.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402


#: runs one command and prints the peak RSS (KB) of it and its descendants: a fresh process per
#: build, since RUSAGE_CHILDREN keeps the largest child ever seen
_PEAK = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
         "sys.stderr.write(p.stderr); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
         "sys.exit(p.returncode)")


def run_build(corpus: Path, out: Path, workers: int) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB (the largest of the main process and its workers), and the
    build's last line of output."""
    cmd = ["kg", "build", str(corpus), "-o", str(out), "--no-cache", "--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _PEAK, *cmd], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"kg build failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    lines = proc.stderr.strip().splitlines()
    return seconds, int(proc.stdout.split()[-1]) / 1024, lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--workers", default=f"1,2,{os.cpu_count() or 2}")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    workers = sorted({int(x) for x in args.workers.split(",")} | {1})
    print(f"{'articles':>8} {'workers':>7} {'seconds':>8} {'art/s':>7} {'vs 1 worker':>11} {'peak MB':>8}")
    peaks: dict[int, float] = {}
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            generate(corpus, n)
            base = None
            for w in workers:
                out = Path(tmp) / f"out-{w}"
                seconds, peak, last = run_build(corpus, out, w)
                base = base or seconds
                peaks.setdefault(n, peak)
                print(f"{n:8d} {w:7d} {seconds:8.1f} {n / seconds:7.1f} {seconds / base:10.2f}x {peak:8.0f}"
                      f"   {last}", flush=True)
    if len(peaks) > 1:
        first = min(peaks)
        print("\npeak memory against corpus size (single process):")
        for n, peak in sorted(peaks.items()):
            print(f"{n:8d} articles: {peak:8.0f} MB  ({n / first:.0f}x the articles, "
                  f"{peak / peaks[first]:.2f}x the memory)")


if __name__ == "__main__":
    sys.exit(main())
