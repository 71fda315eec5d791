"""Article extraction throughput on one core, against a baseline that only reads and splits.

    python benchmarks/bench_extract.py --articles 3000

Loading the registry (the loader's "model") is timed separately and excluded
from the rates. The baseline reads each document and splits it into
sentences: the ratio says what the extraction rules cost on top of that.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate  # noqa: E402

from kg.loaders.text.document import read_document  # noqa: E402
from kg.loaders.text.extract import extract_document  # noqa: E402
from kg.loaders.text.gazetteer import registry_gazetteer  # noqa: E402
from kg.loaders.text.segment import sentences  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = generate(Path(tmp), args.articles)
        size = sum(p.stat().st_size for p in paths)
        t0 = time.perf_counter()
        registry_gazetteer()
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        for p in paths:
            sentences(read_document(p).text)
        base = time.perf_counter() - t0
        t0 = time.perf_counter()
        facts = 0
        for p in paths:
            facts += len(extract_document(read_document(p))[1])
        spent = time.perf_counter() - t0
    mb = size / 2**20
    print(f"articles={len(paths)} size={mb:.1f} MB facts={facts}")
    print(f"registry load (excluded): {load:.2f} s")
    print(f"baseline read+split: {len(paths) / base:.0f} articles/s, {mb / base:.2f} MB/s")
    print(f"extraction: {len(paths) / spent:.1f} articles/s, {mb / spent:.3f} MB/s, "
          f"{spent / base:.1f}x the baseline time")


if __name__ == "__main__":
    main()
