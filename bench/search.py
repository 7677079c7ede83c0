"""Accuracy, latency and memory of question answering: old matcher, semantic model, hybrid.

Run from the repository root:

    .venv/bin/python bench/search.py [--misses MODE] [--questions FILE ...] [--tune]

One run builds the search once and answers every labelled question three ways, through the
real Ask use case (``Asker.as_json``, what ``python -m bot ask --json`` prints):

- ``old``: the lexical matcher alone (what the bot did before the semantic model);
- ``semantic``: the sentence-embedding model alone (its own thresholds, no lexical scores);
- ``hybrid``: both, fused (bot/search/hybrid.py), as the bot answers now.

Per set and mode: top-1 and top-3 of answerable questions, false "I don't know" (an
answerable question with nothing offered), off-topic rejection (nothing offered), warning
signs first (a safety entry first) and controls kept calm (no safety entry first); then
latency per question after warm-up (p50/p99, in process) and RSS growth of the model.

Default sets are the tuning sets: tests/data/questions*.jsonl, bench/data/questions-pages-
tune.jsonl and the tune split of the safety questions (bench/data/safety-pages-tune.jsonl).
``--tune`` grid-searches the fusion weights and thresholds on them (see BENCHMARKS.md).
Held-out files are measured by naming them with ``--questions``, once.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.ask.service import Asker, build_asker
from bot.catalog.entries import Catalog
from bot.catalog.loader import load_catalog
from bot.search.hybrid import FUSION, Fusion, Searcher, build_searcher
from bot.search.lexical import Reading
from bot.search.semantic import MODEL_SHA256

ROOT = Path(__file__).resolve().parent.parent
TUNE_SETS = (
    *sorted((ROOT / "tests" / "data").glob("questions*.jsonl")),
    ROOT / "bench" / "data" / "questions-pages-tune.jsonl",
    ROOT / "bench" / "data" / "safety-pages-tune.jsonl",
)
ANSWERABLE = ("plain", "name", "typo", "answerable")
# The semantic model alone: ranked by cosine only, with thresholds of its own (tuned the same
# way, --tune semantic), no lexical off-topic words and no lexical help for vague questions.
SEMANTIC_ALONE = Fusion(
    lexical_share=0.0,
    semantic_floor=0.35,
    semantic_top=0.9,
    answer_at=45.0,
    clear_lead=8.0,
    choices_at=30.0,
    close_to_top=12.0,
    lexical_guards=False,
)
# Reciprocal rank fusion of the same two sides, thresholds tuned the same way (--tune rrf).
RANK_FUSION = replace(FUSION, rank_k=10, answer_at=95.0, clear_lead=3.0, choices_at=60.0)
MODES = ("old", "semantic", "rrf", "hybrid")


@dataclass(frozen=True)
class Question:
    query: str
    kind: str  # answerable, warning, control, offtopic, intent
    expect: tuple[str, ...]
    source: str


def load_questions(path: Path) -> list[Question]:
    """A labelled set in either format: tests/data ({query, kind}) or pages ({q, kind})."""
    found: list[Question] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if item.get("split") == "holdout":
            continue
        kind = "answerable" if item["kind"] in ANSWERABLE else item["kind"]
        query = item.get("query", item.get("q", ""))
        found.append(Question(query, kind, tuple(item.get("expect", ())), path.name))
    return found


@dataclass
class Tally:
    answerable: int = 0
    top1: int = 0
    top3: int = 0
    idk: int = 0
    offtopic: int = 0
    rejected: int = 0
    warning: int = 0
    caught: int = 0
    control: int = 0
    calm: int = 0
    direct: int = 0  # answerable questions answered with a card, no "did you mean"
    direct_wrong: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, question: Question, line: dict[str, Any]) -> None:
        ids = [result["id"] for result in line["results"]]
        right = True
        if question.kind == "answerable":
            self.answerable += 1
            self.top1 += bool(ids) and ids[0] in question.expect
            self.top3 += bool(set(ids[:3]) & set(question.expect))
            self.idk += not ids
            right = bool(ids) and ids[0] in question.expect
            self.direct += line.get("verdict") == "answer"
            self.direct_wrong += line.get("verdict") == "answer" and not right
        elif question.kind == "offtopic":
            self.offtopic += 1
            self.rejected += not ids
            right = not ids
        elif question.kind == "warning":
            self.warning += 1
            right = bool(ids) and ids[0].startswith("safety.")
            self.caught += right
        elif question.kind == "control":
            self.control += 1
            right = not (ids and ids[0].startswith("safety.")) and not line.get("warnings")
            self.calm += right
        if not right:
            self.misses.append(
                f"{question.kind:10} {question.query!r} -> {ids[:3]} {line.get('verdict')};"
                f" want {list(question.expect)[:3]}"
            )

    def figures(self) -> dict[str, float]:
        def share(part: int, whole: int) -> float:
            return 100.0 * part / whole if whole else float("nan")

        return {
            "top1": share(self.top1, self.answerable),
            "top3": share(self.top3, self.answerable),
            "idk": share(self.idk, self.answerable),
            "offtopic": share(self.rejected, self.offtopic),
            "warnings": share(self.caught, self.warning),
            "controls": share(self.calm, self.control),
            "direct": share(self.direct, self.answerable),
            "direct_wrong": share(self.direct_wrong, self.answerable),
        }

    def row(self, name: str) -> str:
        f = self.figures()
        return (
            f"{name:34} {self.answerable:4} {f['top1']:6.1f} {f['top3']:6.1f} {f['idk']:6.1f}"
            f" {self.rejected:3}/{self.offtopic:<3} {self.caught:3}/{self.warning:<3}"
            f" {self.calm:3}/{self.control:<3} {f['direct']:6.1f} {f['direct_wrong']:5.1f}"
        )


class MemoSearcher(Searcher):
    """The bot's searcher with each question's reading and vector kept: tuning re-decides
    the same questions hundreds of times, and only the fusion's numbers change."""

    def __init__(self, base: Searcher, fusion: Fusion, semantic: bool = True) -> None:
        super().__init__(base.lexical, base._ids, base.semantic if semantic else None, fusion)
        self._readings: dict[str, Reading] = {}
        self._similarities: dict[str, tuple[list[float], float]] = {}

    def read(self, text: str) -> Reading:
        if text not in self._readings:
            self._readings[text] = super().read(text)
        return self._readings[text]

    def similarities(self, text: str) -> tuple[list[float], float]:
        if text not in self._similarities:
            self._similarities[text] = super().similarities(text)
        return self._similarities[text]


def evaluate(asker: Asker, questions: list[Question]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for question in questions:
        line = asker.as_json(question.query)
        tallies[question.source].add(question, line)
        tallies["all tuning sets"].add(question, line)
    return tallies


def latency(asker: Asker, queries: list[str], rounds: int = 3) -> tuple[float, float]:
    """Median and 99th percentile of one answer in milliseconds, after a warm-up round."""
    for query in queries:
        asker.as_json(query)
    samples: list[float] = []
    gc.collect()
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            asker.as_json(query)
            samples.append(time.perf_counter() - start)
    samples.sort()
    return statistics.median(samples) * 1e3, samples[int(len(samples) * 0.99)] * 1e3


def rss_mb() -> float:
    """The resident set size now (Linux: /proc/self/statm), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 1e6


def objective(tally: Tally) -> float:
    """What tuning maximises: right first answers, few "I don't know", off-topic refused."""
    f = tally.figures()
    return (
        f["top1"]
        + 0.5 * f["top3"]
        - 2.0 * f["idk"]
        + 0.5 * f["offtopic"]
        + 0.2 * f["direct"]
        - 1.0 * f["direct_wrong"]
    )


def tune(catalog: Catalog, base: Searcher, questions: list[Question], start: Fusion) -> None:
    """Grid-search the fusion on the tuning sets; print the best settings found."""
    searcher = MemoSearcher(base, start)
    asker = build_asker(catalog, searcher)
    shares = (0.0,) if start.lexical_share == 0 else (0.4, 0.5, 0.6)
    if start.rank_k:  # rank fusion: only the thresholds matter
        shares = (start.lexical_share,)
    grid = list(
        itertools.product(
            shares,  # lexical_share
            (0.35, 0.4) if not start.rank_k else (start.semantic_floor,),  # semantic_floor
            (0.9,),  # semantic_top
            (45.0, 50.0, 60.0) if not start.rank_k else (75.0, 85.0, 95.0),  # answer_at
            (3.0, 5.0, 8.0),  # clear_lead
            (30.0, 35.0, 40.0) if not start.rank_k else (60.0, 70.0, 80.0),  # choices_at
            (0.03,),  # offtopic_margin
            (0.9,) if not start.rank_k else (1.5,),  # near_exact
            (15.0,),  # near_exact_bonus
            (44.0, 55.0, 101.0),  # offtopic_words_below
        )
    )
    results = []
    for number, values in enumerate(grid):
        share, floor, top, answer_at, lead, choices_at, margin, exact, bonus, below = values
        fusion = replace(
            start,
            lexical_share=share,
            semantic_floor=floor,
            semantic_top=top,
            answer_at=answer_at,
            clear_lead=lead,
            choices_at=min(choices_at, answer_at),
            offtopic_margin=margin,
            near_exact=exact,
            near_exact_bonus=bonus,
            offtopic_words_below=below,
        )
        searcher.fusion = fusion
        tally = evaluate(asker, questions)["all tuning sets"]
        results.append((objective(tally), fusion, tally))
        if number % 20 == 0:
            print(f"{number}/{len(grid)}", flush=True)
    results.sort(key=lambda item: -item[0])
    for score, fusion, tally in results[:8]:
        print(f"{score:7.1f} {tally.row('')[35:]}  {fusion}")


def build(catalog: Catalog, model: Path | None) -> tuple[Searcher, dict[str, float]]:
    """The bot's searcher, timing each step of the start-up and the memory the model adds.

    The hybrid is built twice on a fresh cache folder: once computing every entry vector (a
    first start, or the first after a content edit), once reading them back (every other
    start). RSS growth is measured after the first, the larger of the two.
    """
    steps: dict[str, float] = {}
    sha256 = None if model else MODEL_SHA256
    start = time.perf_counter()
    build_searcher(catalog, semantic=False)
    steps["start-up ms: lexical"] = (time.perf_counter() - start) * 1e3
    gc.collect()
    before = rss_mb()
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        searcher = build_searcher(catalog, model=model, sha256=sha256, cache=Path(cache))
        steps["hybrid, vectors computed"] = (time.perf_counter() - start) * 1e3
        steps["rss growth MB"] = rss_mb() - before
        del searcher
        gc.collect()
        start = time.perf_counter()
        searcher = build_searcher(catalog, model=model, sha256=sha256, cache=Path(cache))
        steps["hybrid, vectors cached"] = (time.perf_counter() - start) * 1e3
    return searcher, steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, nargs="+", default=list(TUNE_SETS))
    parser.add_argument("--misses", choices=MODES, help="list every miss of this mode")
    parser.add_argument(
        "--tune", choices=("hybrid", "semantic", "rrf"), help="grid-search this mode's fusion"
    )
    parser.add_argument("--model", type=Path, help="another ONNX model to try (no sha check)")
    args = parser.parse_args()
    catalog = load_catalog()
    base, steps = build(catalog, args.model)
    if base.semantic is None:
        print("the semantic model did not load: only the old matcher can be measured")
    questions = [q for path in args.questions for q in load_questions(path)]
    if args.tune:
        starts = {"hybrid": FUSION, "semantic": SEMANTIC_ALONE, "rrf": RANK_FUSION}
        tune(catalog, base, questions, starts[args.tune])
        return 0
    askers = {
        "old": build_asker(catalog, Searcher(base.lexical, base._ids, None)),
        "semantic": build_asker(
            catalog, Searcher(base.lexical, base._ids, base.semantic, SEMANTIC_ALONE)
        ),
        "rrf": build_asker(catalog, Searcher(base.lexical, base._ids, base.semantic, RANK_FUSION)),
        "hybrid": build_asker(catalog, base),
    }
    print(
        f"{len(questions)} labelled questions, {len(catalog)} entries; "
        + ", ".join(f"{name} {value:.0f}" for name, value in steps.items())
    )
    header = f"{'set':34} {'n':>4} {'top-1':>6} {'top-3':>6} {'IDK':>6} {'offtop':>7}"
    print(header + f" {'warn':>7} {'control':>7} {'direct':>6} {'wrong':>5}")
    kept: dict[str, dict[str, Tally]] = {}
    for mode, asker in askers.items():
        if mode != "old" and base.semantic is None:
            continue
        kept[mode] = tallies = evaluate(asker, questions)
        print(f"-- {mode}")
        for name in sorted(tallies, key=lambda n: (n == "all tuning sets", n)):
            print(tallies[name].row(name))
        p50, p99 = latency(asker, [q.query for q in questions])
        print(f"   latency per question after warm-up: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    print(f"RSS growth from the model and its vectors: {steps['rss growth MB']:.0f} MB")
    if args.misses and args.misses in kept:
        print("\n".join(kept[args.misses]["all tuning sets"].misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
