"""Accuracy and latency of question matching on the labelled set tests/data/questions.jsonl.

Run from the repository root:  .venv/bin/python bench/search.py [--misses] [--questions FILE]

``--questions`` measures another labelled file in the same format, for example the held-out
sets tests/data/questions-heldout.jsonl and questions-heldout2.jsonl, which were written
after the matcher was tuned and are kept out of the tuning (see BENCHMARKS.md).

Each line of the labelled set is {"query", "kind", "expect": [ids]} (plus "heldout": true for
questions written after the matcher was tuned, reported on their own). Kinds: plain, name,
typo (answerable: the first result must be in "expect" for top-1, any of the first three for
top-3), warning (safety.red-flags must come first), offtopic (no result at all) and intent
(no result, an intent recognised).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.ask.service import Asker, build_asker
from bot.catalog.loader import load_catalog
from bot.search.lexical import build_searcher

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "questions.jsonl"
ANSWERABLE = ("plain", "name", "typo", "warning")


@dataclass(frozen=True)
class Question:
    query: str
    kind: str
    expect: tuple[str, ...]
    heldout: bool = False
    batch: int = 1


@dataclass
class Tally:
    total: int = 0
    top1: int = 0
    top3: int = 0
    direct: int = 0
    direct_wrong: int = 0

    def add(self, top1: bool, top3: bool, direct: bool) -> None:
        self.total += 1
        self.top1 += top1
        self.top3 += top3
        self.direct += direct
        self.direct_wrong += direct and not top1

    def row(self, name: str) -> str:
        n = max(self.total, 1)
        return (
            f"{name:18} {self.total:4} {100 * self.top1 / n:6.1f}% {100 * self.top3 / n:6.1f}%"
            f" {100 * self.direct / n:7.1f}% {self.direct_wrong:12}"
        )


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [
        Question(
            i["query"], i["kind"], tuple(i["expect"]), bool(i.get("heldout")), i.get("batch", 1)
        )
        for i in items
    ]


def judge(asker: Asker, question: Question) -> tuple[bool, bool, bool, dict[str, object]]:
    """(top-1 right, top-3 right, answered directly, the JSON line) for one question."""
    line = asker.as_json(question.query)
    results = line["results"]
    assert isinstance(results, list)
    ids = [result["id"] for result in results]
    direct = line.get("verdict") == "answer" or bool(line.get("warnings"))
    if question.kind == "offtopic":
        return not ids, not ids, not ids, line
    if question.kind == "intent":
        ok = "intent" in line and not ids
        return ok, ok, ok, line
    return (
        bool(ids) and ids[0] in question.expect,
        bool(set(ids[:3]) & set(question.expect)),
        (direct),
        line,
    )


def evaluate(asker: Asker, questions: list[Question]) -> tuple[dict[str, Tally], list[str]]:
    """Tallies by kind (and for answerable, held-out questions) and the top-1 misses."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    misses: list[str] = []
    for question in questions:
        top1, top3, direct, line = judge(asker, question)
        tallies[question.kind].add(top1, top3, direct)
        if question.kind in ANSWERABLE:
            tallies["answerable"].add(top1, top3, direct)
            if question.heldout:
                tallies[f"answerable held-out {question.batch}"].add(top1, top3, direct)
        elif question.heldout:
            tallies[f"{question.kind} held-out {question.batch}"].add(top1, top3, direct)
        if not top1:
            misses.append(
                f"{question.kind:8} {question.query!r} -> {line['results']} "
                f"{line.get('verdict')}; want {list(question.expect)}"
            )
    return tallies, misses


def latency(asker: Asker, queries: list[str], rounds: int = 20) -> tuple[float, float]:
    """Median and 99th percentile of one ``ask`` in microseconds, after a warm-up round."""
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
    return statistics.median(samples) * 1e6, samples[int(len(samples) * 0.99)] * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description="Accuracy and latency of question matching.")
    parser.add_argument("--misses", action="store_true", help="list every top-1 miss")
    parser.add_argument(
        "--questions", type=Path, default=QUESTIONS, help="labelled questions (JSON lines)"
    )
    args = parser.parse_args()
    catalog = load_catalog()
    start = time.perf_counter()
    asker = build_asker(catalog, build_searcher(catalog))
    build_ms = (time.perf_counter() - start) * 1000
    questions = load_questions(args.questions)
    tallies, misses = evaluate(asker, questions)
    print(f"{args.questions.name}: {len(questions)} labelled questions, {len(catalog)} entries")
    print(f"index built once in {build_ms:.0f} ms")
    print(f"{'kind':18} {'n':>4} {'top-1':>7} {'top-3':>7} {'direct':>8} {'direct+wrong':>12}")
    for kind in sorted(tallies):
        print(tallies[kind].row(kind))
    offtopic = tallies.get("offtopic", Tally())
    warning = tallies.get("warning", Tally())
    print(f"off-topic rejected: {offtopic.top1}/{offtopic.total}")
    print(f"warning signs caught (red flags first): {warning.top1}/{warning.total}")
    p50, p99 = latency(asker, [question.query for question in questions])
    print(
        f"latency per question, in one process after warm-up: p50 {p50:.0f} µs, p99 {p99:.0f} µs"
    )
    if args.misses:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
