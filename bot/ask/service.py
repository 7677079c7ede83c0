"""Answer a free-text question: warning signs first, then the entry, choices, or "I don't know"."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.ask.replies import (
    AFTER_CHECK,
    CAUTION,
    CHOOSE,
    EMPTY,
    FOREIGN,
    UNKNOWN,
    WARNING,
    WARNINGS,
    entry_buttons,
    pointer,
    request_kind,
)
from bot.catalog import browse
from bot.catalog.entries import Catalog, Entry
from bot.intents import Request, recognise
from bot.messaging import Reply
from bot.safety import SafetyDetector, SafetyMatch, build_detector, lead_entries
from bot.search.hybrid import Searcher
from bot.search.normalize import normalize
from bot.search.verdict import Hit, Result

# Entry kinds that put hands on the back: after a sign that needs a check, only as a button.
HANDS_ON = ("technique", "routine")
# Suggested when nothing comes close (the "three nearest" are then not near at all).
STARTERS = ("routine.quick-relax", "tip.pressure-without-training", "product.oil")
# Inline mode lists looser matches than a chat answer: people pick from the list themselves.
INLINE_LIMIT = 10
INLINE_AT = 25


@dataclass(frozen=True)
class Answer:
    """The messages answering one question, in order, and what the search made of it."""

    replies: tuple[Reply, ...]
    result: Result | None = None
    intent: Request | None = None
    results: tuple[Hit, ...] = field(default=())
    verdict: str = ""
    warnings: tuple[SafetyMatch, ...] = ()


class Asker:
    """Answers questions about a catalog with one search index built at start-up."""

    def __init__(self, catalog: Catalog, searcher: Searcher, detector: SafetyDetector):
        self.catalog = catalog
        self.searcher = searcher
        self.detector = detector

    def ask(self, text: str, *, intents: bool = True) -> Answer:
        """Answer ``text``; ``intents`` False skips recognising session and reminder requests."""
        intent = recognise(text) if intents else None
        if intent is not None:
            return Answer((Reply(pointer(intent)),), intent=intent)
        if not normalize(text):
            return Answer((Reply(EMPTY),))
        result = self.searcher.search(text)
        matches = tuple(self.detector.detect(text))
        safety = [i for i in lead_entries(matches) if i in self.catalog]
        replies: list[Reply] = []
        results: list[Hit] = []
        hits = list(result.hits)
        verdict = result.verdict
        if safety:
            first = self.catalog.entries[safety[0]]
            warning = browse.card(first, self.catalog)
            header = WARNINGS.get(matches[0].level, WARNING)
            replies.append(Reply(f"{header}\n\n{warning.text}", buttons=warning.buttons))
            results.extend(Hit(entry_id, 100) for entry_id in safety)
            # The normal answer competes without the safety entries: the warning leads instead.
            hits = [hit for hit in hits if self.catalog.entries[hit.entry_id].kind != "safety"]
            verdict = self.searcher.verdict_of(hits)
        if verdict == "answer" and safety and self._hands_on(hits[0], matches):
            # A technique card right after "check with a doctor first" reads as "go ahead":
            # the hands-on answer waits behind a button; an oil or a tip may follow as is.
            replies.append(entry_buttons(AFTER_CHECK, self.catalog, [hits[0].entry_id]))
            results.extend(hits[:3])
        elif verdict == "answer":
            replies.append(browse.card(self.catalog.entries[hits[0].entry_id], self.catalog))
            results.extend(hits[:3])
        elif verdict == "choose":
            replies.append(
                entry_buttons(
                    CHOOSE, self.catalog, [hit.entry_id for hit in self.searcher.choices(hits)]
                )
            )
            results.extend(hits[:3])
        elif not results:
            nearest = [hit.entry_id for hit in hits[:3]]
            nearest += [i for i in STARTERS if i not in nearest][: 3 - len(nearest)]
            replies.append(
                entry_buttons(FOREIGN if result.foreign else UNKNOWN, self.catalog, nearest)
            )
        return Answer(
            tuple(replies), result, results=tuple(results), verdict=verdict, warnings=matches
        )

    def _hands_on(self, hit: Hit, matches: tuple[SafetyMatch, ...]) -> bool:
        """Whether ``hit`` is pressure work and the most urgent sign asks for a check first."""
        kind = self.catalog.entries[hit.entry_id].kind
        return kind in HANDS_ON and matches[0].level != CAUTION

    def inline(self, text: str, *, limit: int = INLINE_LIMIT) -> list[Entry]:
        """Entries to list for ``@bot text`` in any chat: safety entries for a warning sign
        first, then the matches; the routines for an empty query."""
        if not normalize(text):
            return [*self.catalog.of_kind("routine"), *self.catalog.of_kind("tip")][:limit]
        hits = self.searcher.search(text, limit=limit).hits
        safety = [i for i in self.detector.entries(text) if i in self.catalog]
        found = [*safety, *(h.entry_id for h in hits if h.score >= INLINE_AT)]
        return [self.catalog.entries[i] for i in dict.fromkeys(found)][:limit]

    def as_json(self, text: str) -> dict[str, object]:
        """One line of ``python -m bot ask --json``: the ids the bot would answer with."""
        answer = self.ask(text)
        line: dict[str, object] = {
            "query": text,
            "results": [{"id": hit.entry_id, "score": hit.score} for hit in answer.results],
        }
        if answer.intent is not None:
            line["intent"] = request_kind(answer.intent)
        if answer.result is not None:
            line["verdict"] = answer.verdict
            if answer.warnings:
                line["warnings"] = [match.sign for match in answer.warnings]
        return line


def build_asker(
    catalog: Catalog, searcher: Searcher, detector: SafetyDetector | None = None
) -> Asker:
    """The asker over ``catalog``; the warning-sign vocabulary is loaded here unless given."""
    return Asker(catalog, searcher, detector or build_detector(catalog))
