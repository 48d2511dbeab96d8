"""Benchmark: textmine.analyze() against jieba.lcut on the same texts, in the same process.

    .venv/bin/python bench/bench_textmine.py [--corpus DIR] [--repeat N] [--big-mb M]

Times analyze() over every corpus text (best of N rounds, each round a full pass), then
jieba.lcut (word segmentation alone, the usual first step of Chinese text processing) over the
same texts, and prints both and the ratio (the aim: analyze <= 0.5 x jieba). Then times
analyze() on synthetic concatenations of the corpus of growing size, up to ~10 MB, to show the
cost grows linearly. Needs the bench extra (pip install -e .[bench]).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from weijian.textmine import analyze  # noqa: E402


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--big-mb", type=float, default=10.0)
    args = ap.parse_args(argv)

    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()  # load the dictionary outside the timing

    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(args.corpus).glob("*.txt"))]
    if not texts:
        print(f"no .txt files in {args.corpus}")
        return 1
    chars = sum(len(t) for t in texts)
    for t in texts:  # warm both (regex compilation, lazy imports)
        analyze(t)
        jieba.lcut(t)

    from weijian.textmine import facts

    # Rounds are interleaved so that a busy machine slows both sides alike; best round wins.
    t_an = t_jb = t_facts = float("inf")
    for _ in range(args.repeat):
        t_an = min(t_an, best_of(lambda: [analyze(t) for t in texts], 1))
        t_jb = min(t_jb, best_of(lambda: [jieba.lcut(t) for t in texts], 1))
        t_facts = min(t_facts, best_of(lambda: [facts.extract_facts(t) for t in texts], 1))
    print(f"corpus: {len(texts)} documents, {chars:,} characters, best of {args.repeat} interleaved rounds")
    print(
        f"  analyze   {t_an * 1000:8.1f} ms  ({chars / t_an / 1e6:.2f} M chars/s, {t_an / len(texts) * 1000:.1f} ms per document)"
    )
    print(f"  jieba     {t_jb * 1000:8.1f} ms  ({chars / t_jb / 1e6:.2f} M chars/s)")
    print(f"  ratio analyze / jieba = {t_an / t_jb:.2f}")
    print(f"  of which facts.extract_facts {t_facts * 1000:.1f} ms; the rest of analyze (read-normalise,")
    print(
        f"  structure, meta, defects, span mapping) {max(t_an - t_facts, 0) * 1000:.1f} ms = {max(t_an - t_facts, 0) / t_jb:.2f} x jieba"
    )

    print("scaling (synthetic concatenation of the corpus, one analyze() call each):")
    base = "\n".join(texts)
    target = int(args.big_mb * 1024 * 1024)
    n = len(base.encode("utf-8"))
    sizes = []
    for fraction in (0.1, 0.25, 0.5, 1.0):
        reps = max(1, round(fraction * target / n))
        if reps not in sizes:
            sizes.append(reps)
    rates = []
    for reps in sizes:
        big = "\n".join([base] * reps)
        mb = len(big.encode("utf-8")) / 1024 / 1024
        secs = best_of(lambda big=big: analyze(big), 1 if mb > 3 else 3)
        rates.append(len(big) / secs)
        print(f"  {mb:6.2f} MB  {len(big):>11,} chars  {secs:7.2f} s  {len(big) / secs / 1e6:.2f} M chars/s")
    spread = (max(rates) - min(rates)) / statistics.mean(rates)
    print(f"  throughput spread across sizes: {spread:.0%} (flat throughput = linear cost)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
