"""Sentence splitters compared: ours against pysbd, on accuracy and on speed.

Accuracy is measured on the labelled paragraphs in ``tests/data/sentences`` (the tuning set
and the held-out set apart); speed on the sample corpus's paragraphs repeated to a size.

    python benchmarks/bench_sentences.py [--paragraphs 20000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from stackwise_analysis import load_corpus
from stackwise_analysis.text.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "tests" / "data" / "sentences"


def _flat(sentences):
    return [" ".join(s.split()) for s in sentences]


def accuracy(split, name: str) -> tuple[float, float]:
    """Share of paragraphs whose sentence count, and whose sentences, come out exactly right."""
    paragraphs = yaml.safe_load((SETS / f"{name}.yml").read_text("utf-8"))["paragraphs"]
    counts = exact = 0
    for p in paragraphs:
        got, want = _flat(split(p["text"])), _flat(p["sentences"])
        counts += len(got) == len(want)
        exact += got == want
    return counts / len(paragraphs), exact / len(paragraphs)


def speed(split, texts: list[str]) -> float:
    """Paragraphs per second."""
    start = time.perf_counter()
    for text in texts:
        split(text)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=20000,
                        help="paragraphs to split for the speed figure (default 20000)")
    args = parser.parse_args()
    corpus = load_corpus(ROOT / "data" / "articles")
    lines = [ln for text in corpus.sections["text"].dropna() for ln in text.split("\n")
             if ln.strip()]
    texts = (lines * (args.paragraphs // len(lines) + 1))[:args.paragraphs]

    contenders = {"stackwise": split_sentences}
    try:
        import pysbd

        segmenter = pysbd.Segmenter(language="en", clean=False)
        contenders["pysbd"] = segmenter.segment
    except ImportError:
        print("pysbd is not installed: pip install pysbd to compare")

    print(f"{'splitter':<10} {'tuning count':>12} {'tuning exact':>12} {'held-out count':>14} "
          f"{'held-out exact':>14} {'paragraphs/s':>12}")
    for name, split in contenders.items():
        tuned, heldout = accuracy(split, "tuning"), accuracy(split, "heldout")
        rate = speed(split, texts)
        print(f"{name:<10} {tuned[0]:>12.1%} {tuned[1]:>12.1%} {heldout[0]:>14.1%} "
              f"{heldout[1]:>14.1%} {rate:>12,.0f}")


if __name__ == "__main__":
    main()
