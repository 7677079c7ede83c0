"""Safety: warning and contraindication questions answered with a safety entry first, and false
alarms on everyday controls, on questions gathered from public pages.

Run from the repository root:

    .venv/bin/python bench/safety.py [--data FILE] [--misses] [--holdout]

The data (bench/data/safety-pages.jsonl, gathered by the data helper) has lines
{"q", "kind": "warning"|"control", "expect", "want", "url", "split": "tune"|"holdout"}.
Only the "tune" split is read unless ``--holdout`` is given: the held-out lines are skipped
in code, never printed, and are measured once at the end by the coordinator.

A warning is caught when the answer (as ``python -m bot ask --json`` gives it) has a
``safety.*`` entry first and names the warning signs found; a control is a false alarm when a
safety entry comes first or a warning is named. The detector alone (bot/safety) is scored the
same way, for comparison.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.ask.service import Asker, build_asker
from bot.catalog.loader import load_catalog
from bot.safety import SafetyDetector, build_detector
from bot.search.hybrid import build_searcher

DATA = Path(__file__).resolve().parent / "data" / "safety-pages.jsonl"
TARGET_CAUGHT = 1.0
TARGET_FALSE_ALARMS = 0.05


@dataclass(frozen=True)
class Item:
    query: str
    kind: str
    want: str
    split: str


def load(path: Path, splits: tuple[str, ...]) -> list[Item]:
    items: list[Item] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        if raw.get("split") not in splits or raw.get("kind") not in ("warning", "control"):
            continue  # held-out lines are dropped here, unread
        items.append(Item(raw["q"], raw["kind"], raw.get("want", ""), raw["split"]))
    return items


def alarm_by_ask(asker: Asker, query: str) -> bool:
    line = asker.as_json(query)
    results = line.get("results") or []
    first = results[0]["id"] if isinstance(results, list) and results else ""
    return str(first).startswith("safety.") and bool(line.get("warnings"))


def any_safety_first(asker: Asker, query: str) -> bool:
    line = asker.as_json(query)
    results = line.get("results") or []
    first = results[0]["id"] if isinstance(results, list) and results else ""
    return str(first).startswith("safety.") or bool(line.get("warnings"))


def alarm_by_detector(detector: SafetyDetector, query: str) -> bool:
    return bool(detector.detect(query))


def report(name: str, items: list[Item], caught: list[bool], alarms: list[bool]) -> bool:
    warnings = [c for c, i in zip(caught, items, strict=True) if i.kind == "warning"]
    controls = [a for a, i in zip(alarms, items, strict=True) if i.kind == "control"]
    hit = sum(warnings) / max(len(warnings), 1)
    false = sum(controls) / max(len(controls), 1)
    print(
        f"  {name:30} warnings caught {sum(warnings):3}/{len(warnings):<3} ({100 * hit:5.1f} %)"
        f"   false alarms {sum(controls):3}/{len(controls):<3} ({100 * false:4.1f} %)"
    )
    return hit >= TARGET_CAUGHT and false <= TARGET_FALSE_ALARMS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the safety question file")
    parser.add_argument("--misses", action="store_true", help="list tune-split misses")
    parser.add_argument(
        "--holdout", action="store_true", help="also measure the held-out split (once, at the end)"
    )
    args = parser.parse_args()
    if not args.data.exists():
        print(f"no data at {args.data}; pass --data FILE", file=sys.stderr)
        return 2
    catalog = load_catalog()
    asker = build_asker(catalog, build_searcher(catalog))
    detector = build_detector(catalog)
    print(f"data: {args.data}")
    ok = True
    for split in ("tune", "holdout") if args.holdout else ("tune",):
        items = load(args.data, (split,))
        kinds = Counter(item.kind for item in items)
        print(f"split {split}: {kinds['warning']} warnings, {kinds['control']} controls")
        started = time.perf_counter()
        by_ask = [alarm_by_ask(asker, item.query) for item in items]
        safety_first = [any_safety_first(asker, item.query) for item in items]
        elapsed = time.perf_counter() - started
        by_detector = [alarm_by_detector(detector, item.query) for item in items]
        ok &= report("python -m bot ask --json", items, by_ask, safety_first)
        report("bot.safety detector alone", items, by_detector, by_detector)
        print(f"  ({1000 * elapsed / max(len(items), 1) / 2:.2f} ms per question through ask)")
        if args.misses and split == "tune":
            for item, caught, alarm in zip(items, by_ask, safety_first, strict=True):
                if item.kind == "warning" and not caught:
                    print(f"    missed   [{item.want}] {item.query}")
                if item.kind == "control" and alarm:
                    print(f"    alarm    {item.query}  {asker.as_json(item.query)}")
    print(
        "targets: every warning with a safety entry first; <= 5 % false alarms:",
        "met" if ok else "NOT met",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
