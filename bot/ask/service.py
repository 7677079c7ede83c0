"""Answer a free-text question: warning signs first, then the entry, choices, or "I don't know"."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.ask.replies import (
    CHOOSE,
    EMPTY,
    FOREIGN,
    POINTERS,
    UNKNOWN,
    WARNING,
    entry_buttons,
)
from bot.catalog import browse
from bot.catalog.entries import Catalog, Entry
from bot.intents import Intent, recognise
from bot.messaging import Reply
from bot.search.lexical import Searcher
from bot.search.normalize import normalize
from bot.search.verdict import Hit, Result, choices, verdict_of

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
    intent: Intent | None = None
    results: tuple[Hit, ...] = field(default=())
    verdict: str = ""


class Asker:
    """Answers questions about a catalog with one search index built at start-up."""

    def __init__(self, catalog: Catalog, searcher: Searcher, warning_ids: tuple[str, ...]):
        self.catalog = catalog
        self.searcher = searcher
        self._warning_ids = tuple(i for i in warning_ids if i in catalog)

    def ask(self, text: str, *, intents: bool = True) -> Answer:
        """Answer ``text``; ``intents`` False skips recognising session and reminder requests."""
        intent = recognise(text) if intents else None
        if intent is not None:
            return Answer((Reply(POINTERS[type(intent)]),), intent=intent)
        if not normalize(text):
            return Answer((Reply(EMPTY),))
        result = self.searcher.search(text)
        replies: list[Reply] = []
        results: list[Hit] = []
        hits = list(result.hits)
        verdict = result.verdict
        if result.warnings and self._warning_ids:
            first = self.catalog.entries[self._warning_ids[0]]
            warning = browse.card(first, self.catalog)
            replies.append(Reply(f"{WARNING}\n\n{warning.text}", buttons=warning.buttons))
            results.append(Hit(first.id, 100))
            # The normal answer competes without the safety entries the warning already gave.
            hits = [hit for hit in hits if hit.entry_id not in self._warning_ids]
            verdict = verdict_of(hits)
        if verdict == "answer":
            replies.append(browse.card(self.catalog.entries[hits[0].entry_id], self.catalog))
            results.extend(hits[:3])
        elif verdict == "choose":
            replies.append(
                entry_buttons(CHOOSE, self.catalog, [hit.entry_id for hit in choices(hits)])
            )
            results.extend(hits[:3])
        elif not results:
            nearest = [hit.entry_id for hit in hits[:3]]
            nearest += [i for i in STARTERS if i not in nearest][: 3 - len(nearest)]
            replies.append(
                entry_buttons(FOREIGN if result.foreign else UNKNOWN, self.catalog, nearest)
            )
        return Answer(tuple(replies), result, results=tuple(results), verdict=verdict)

    def inline(self, text: str, *, limit: int = INLINE_LIMIT) -> list[Entry]:
        """Entries to list for ``@bot text`` in any chat: the matches, or the routines."""
        if not normalize(text):
            return [*self.catalog.of_kind("routine"), *self.catalog.of_kind("tip")][:limit]
        hits = self.searcher.search(text, limit=limit).hits
        return [self.catalog.entries[h.entry_id] for h in hits if h.score >= INLINE_AT]

    def as_json(self, text: str) -> dict[str, object]:
        """One line of ``python -m bot ask --json``: the ids the bot would answer with."""
        answer = self.ask(text)
        line: dict[str, object] = {
            "query": text,
            "results": [{"id": hit.entry_id, "score": hit.score} for hit in answer.results],
        }
        if answer.intent is not None:
            line["intent"] = type(answer.intent).__name__.removesuffix("Intent").lower()
        if answer.result is not None:
            line["verdict"] = answer.verdict
            if answer.result.warnings:
                line["warnings"] = list(answer.result.warnings)
        return line


def build_asker(catalog: Catalog, searcher: Searcher) -> Asker:
    return Asker(catalog, searcher, searcher.warning_answer)
