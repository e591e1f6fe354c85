"""Write a deterministic synthetic corpus of N house-format articles for benchmarks.

Each synthetic article copies the structure of one sample article (its headings, order,
label line, bullets, disclaimer or lack of one, CRLF or BOM) and fills each section with a
paragraph drawn from another sample article's same section, so the defect rate and the
length of the sample corpus carry over. Files that are not articles in the sample (empty,
binary, undecodable) are copied at their sample rate too.

    python benchmarks/make_corpus.py --n 10000 --seed 1 --out benchmarks/corpora/n10000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stackwise_analysis import load_corpus  # noqa: E402


def _pools(sample: Path):
    corpus = load_corpus(sample, progress=False)
    arts = corpus.articles.set_index("article_id")
    by_key = defaultdict(list)
    for row in corpus.sections.itertuples():
        by_key[row.section if isinstance(row.section, str) else "?"].append(row.text)
    bullets = corpus.risks["risk"].tolist()
    templates = []
    for article_id, group in corpus.sections.groupby("article_id", sort=True):
        row = arts.loc[article_id]
        raw = (corpus.root / row["path"]).read_bytes()
        templates.append({
            "title": row["title"],
            "label": row["risk_label_raw"] if isinstance(row["risk_label_raw"], str) else None,
            "intro": row["intro"],
            "sections": list(zip(group["heading"], group["section"], group["text"],
                                 strict=True)),
            "risk_count": int(row["risk_count"]),
            "disclaimer": row["disclaimer"] if isinstance(row["disclaimer"], str) else None,
            "crlf": b"\r\n" in raw,
            "bom": raw.startswith(b"\xef\xbb\xbf"),
        })
    broken = [(corpus.root / p).read_bytes() for p in corpus.errors["path"]
              if (corpus.root / p).is_file()]
    share_broken = len(broken) / max(1, len(broken) + len(templates))
    return templates, by_key, bullets, broken, share_broken


def _article(rng: random.Random, template: dict, by_key, bullets, number: int) -> bytes:
    lines = [f"{template['title']} ({number})", ""]
    if template["label"]:
        lines += [template["label"], ""]
    if template["intro"]:
        lines += [template["intro"], ""]
    for heading, key, text in template["sections"]:
        lines += [heading, ""]
        if isinstance(key, str) and key == "health_risks":
            count = template["risk_count"]
            lines += [f"  • {rng.choice(bullets)}" for _ in range(count)]
            lines += [""]
            continue
        pool = by_key.get(key if isinstance(key, str) else "?") or [text]
        body = rng.choice(pool) if text.strip() else ""
        if body:
            lines += [body, ""]
    if template["disclaimer"]:
        lines += [template["disclaimer"]]
    newline = "\r\n" if template["crlf"] else "\n"
    data = newline.join(lines).encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if template["bom"] else data


def make_corpus(n: int, seed: int, out: Path, sample: Path) -> dict:
    """Write ``n`` files to ``out`` (created; existing files of the same names replaced)."""
    rng = random.Random(seed)
    templates, by_key, bullets, broken, share_broken = _pools(sample)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for number in range(n):
        if broken and rng.random() < share_broken:
            data, suffix = rng.choice(broken), ".txt"
        else:
            data, suffix = _article(rng, rng.choice(templates), by_key, bullets, number), ".txt"
        (out / f"{number:07d}{suffix}").write_bytes(data)
        written += len(data)
    return {"files": n, "bytes": written, "templates": len(templates)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="number of files to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--sample", type=Path, default=REPO / "data" / "articles",
                        help="sample corpus to recombine (default data/articles)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    info = make_corpus(args.n, args.seed, args.out, args.sample)
    print(f"wrote {info['files']:,} files, {info['bytes'] / 1e6:.1f} MB, from "
          f"{info['templates']} templates, in {time.perf_counter() - start:.1f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
