"""Plans: a routine (or one technique) turned into timed steps fitted to a length."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Literal

from bot.catalog.entries import MIN_STEP_SECONDS, Entry
from bot.sessions import replies

PRACTICE_SECONDS = 120


@dataclass(frozen=True)
class PlanStep:
    """One step as it will be run: the technique, its (unscaled) seconds and what to say."""

    technique: str
    seconds: int
    cue: str = ""
    halfway: str = ""


PlanKind = Literal["routine", "practice"]


@dataclass(frozen=True)
class Plan:
    """A routine fitted to a length; ``notice`` explains a length we had to change."""

    kind: PlanKind
    entry_id: str
    title: str
    steps: tuple[PlanStep, ...]
    notice: str = ""

    @property
    def seconds(self) -> int:
        return sum(step.seconds for step in self.steps)


def length_bounds(routine: Entry) -> tuple[int, int]:
    """The shortest and longest session (whole minutes) a routine can be fitted to."""
    kept = [step for step in routine.steps if step.drop is None]
    low, high = routine.length_minutes or (1, 30)
    # Every kept step needs its 20 s, and squeezing a routine under a third of its shortest
    # length would no longer be that routine.
    shortest = max(1, math.ceil(len(kept) * MIN_STEP_SECONDS / 60), math.ceil(low / 3))
    return shortest, max(high * 2, shortest)


def default_minutes(routine: Entry) -> int:
    return max(1, round(routine.total_seconds / 60))


def _fit(natural: list[int], target: int) -> list[int]:
    """Scale durations to add up to ``target`` exactly, none under MIN_STEP_SECONDS."""
    floored: set[int] = set()
    while True:
        free = [i for i in range(len(natural)) if i not in floored]
        budget = target - MIN_STEP_SECONDS * len(floored)
        total = sum(natural[i] for i in free)
        factor = budget / total
        short = [i for i in free if natural[i] * factor < MIN_STEP_SECONDS]
        if not short:
            break
        floored.update(short)
    exact = {i: natural[i] * factor for i in free}
    result = [MIN_STEP_SECONDS] * len(natural)
    for i, value in exact.items():
        result[i] = math.floor(value)
    # Largest remainders get the leftover seconds, so the sum is exactly the target.
    leftover = target - sum(result)
    for i in sorted(exact, key=lambda i: exact[i] - math.floor(exact[i]), reverse=True)[:leftover]:
        result[i] += 1
    return result


def plan_routine(routine: Entry, minutes: int | None = None) -> Plan:
    """Fit a routine to ``minutes`` (its natural length when None).

    Below the routine's minimum length, steps with a ``drop`` rank go first, lowest rank
    first, until the rest fits; the remaining steps are then scaled to add up exactly.
    """
    shortest, longest = length_bounds(routine)
    notice = ""
    if minutes is None:
        minutes = default_minutes(routine)
    elif minutes < shortest:
        notice = replies.shortest_notice(shortest)
        minutes = shortest
    elif minutes > longest:
        notice = replies.longest_notice(longest)
        minutes = longest
    target = minutes * 60
    steps = list(routine.steps)
    low = routine.length_minutes[0] if routine.length_minutes else 0
    if minutes < low:
        droppable = sorted((s.drop, i) for i, s in enumerate(steps) if s.drop is not None)
        dropped: set[int] = set()
        for _, index in droppable:
            if sum(s.seconds for i, s in enumerate(steps) if i not in dropped) <= target:
                break
            dropped.add(index)
        steps = [s for i, s in enumerate(steps) if i not in dropped]
    seconds = _fit([s.seconds for s in steps], target)
    return Plan(
        kind="routine",
        entry_id=routine.id,
        title=routine.title,
        steps=tuple(
            PlanStep(s.technique, sec, s.cue, s.halfway)
            for s, sec in zip(steps, seconds, strict=True)
        ),
        notice=notice,
    )


def plan_practice(technique: Entry) -> Plan:
    """A two-minute drill of one technique, with a cue to switch sides halfway."""
    return Plan(
        kind="practice",
        entry_id=technique.id,
        title=replies.practice_title(technique.title),
        steps=(PlanStep(technique.id, PRACTICE_SECONDS, "", replies.PRACTICE_HALFWAY),),
    )


def plan_to_json(steps: tuple[PlanStep, ...]) -> str:
    return json.dumps([[s.technique, s.seconds, s.cue, s.halfway] for s in steps])


def plan_from_json(text: str) -> tuple[PlanStep, ...]:
    return tuple(PlanStep(str(t), int(sec), str(c), str(h)) for t, sec, c, h in json.loads(text))
