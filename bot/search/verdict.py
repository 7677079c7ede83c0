"""What the search made of a question: scored hits, and whether to answer, offer or abstain."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

# Calibration, on tests/data/questions.jsonl (see bench/search.py):
ANSWER_AT = 55  # a top score from here, clearly ahead, is answered directly
CLEAR_LEAD = 6  # "clearly ahead": this many points over the runner-up
CHOICES_AT = 44  # from here up, close candidates are offered as "did you mean"
CLOSE_TO_TOP = 12  # candidates within this many points of the top are offered
MAX_CHOICES = 3
SHORT_AT = 25  # a short on-topic question offers its nearest entries from this score up

Verdict = Literal["answer", "choose", "unknown", "empty"]
# A question on topic that says too little: only general words ("back massage"), or a word
# or two ("pressure").
Vague = Literal["", "general", "short"]


@dataclass(frozen=True)
class Hit:
    """An entry and how well it answers the question, 0 to 100."""

    entry_id: str
    score: int


@dataclass(frozen=True)
class Result:
    """What the search made of a question.

    ``hits`` are best first; with ``verdict`` "answer" the first is the answer, with "choose"
    they are the close candidates, with "unknown" the nearest entries (for suggestions).
    ``warnings`` names the warning signs found, whatever the verdict.
    """

    query: str
    verdict: Verdict
    hits: tuple[Hit, ...] = ()
    warnings: tuple[str, ...] = ()
    foreign: bool = False


def verdict_of(ranked: Sequence[Hit]) -> Verdict:
    """How to answer, from the scores: directly, with choices, or not at all."""
    if not ranked or ranked[0].score < CHOICES_AT:
        return "unknown"
    top = ranked[0].score
    runner_up = ranked[1].score if len(ranked) > 1 else 0
    if top >= ANSWER_AT and top - runner_up >= CLEAR_LEAD:
        return "answer"
    return "choose"


def choices(ranked: Sequence[Hit]) -> tuple[Hit, ...]:
    """The candidates worth offering: close to the top, at most three."""
    if not ranked:
        return ()
    top = ranked[0].score
    return tuple(hit for hit in ranked if top - hit.score <= CLOSE_TO_TOP)[:MAX_CHOICES]


def entry_ids(hits: Iterable[Hit]) -> list[str]:
    return [hit.entry_id for hit in hits]
