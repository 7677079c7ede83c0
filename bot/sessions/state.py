"""A guided session's state and its pure transitions.

Nothing here touches the database, the clock or Telegram: every function takes the time it
needs and returns a new value (dataclasses.replace), so the timing rules can be tested exactly.

A running session always has exactly one pending *event* (``next_event`` at ``due_at``):
show step ``step``, give the halfway cue of step ``step``, or finish. Firing an event returns
the next state and says what to send; pause, resume, skip and stop rewrite the pending event.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.sessions.plan import PlanStep

# An event sent this much later than planned (the bot was down, or Telegram held it back)
# restarts the step clock, so the giver still gets the step's full time, and says sorry.
LATE_AFTER = 2.0

OPEN = ("ready", "running", "paused")
ENDED = ("done", "stopped", "gone", "failed")


@dataclass(frozen=True)
class SessionState:
    """One session as stored: the database row, typed."""

    id: int
    chat_id: int
    kind: str
    entry_id: str
    title: str
    steps: tuple[PlanStep, ...]
    status: str
    step: int = 0
    next_event: str = "step"  # "step", "halfway" or "finish"
    step_started_at: float | None = None
    due_at: float | None = None
    paused_remaining: float | None = None
    failures: int = 0
    message_ids: tuple[int, ...] = ()
    created_at: float = 0.0
    ended_at: float | None = None
    steps_done: int = 0
    seconds_done: int = 0
    rating: int | None = None

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def length_seconds(self) -> int:
        return sum(step.seconds for step in self.steps)

    def step_length(self, index: int, scale: float) -> float:
        """How long step ``index`` lasts in real seconds."""
        return self.steps[index].seconds * scale

    @property
    def showing(self) -> int | None:
        """The step the giver is doing now, or None before the first step is shown."""
        if self.next_event == "step":
            return self.step - 1 if self.step > 0 else None
        return self.step


@dataclass(frozen=True)
class Fired:
    """What firing the pending event sends, and the state once it is sent."""

    kind: str  # "step", "halfway" or "finish"
    index: int
    late: bool
    state: SessionState


def _after(state: SessionState, index: int) -> tuple[str, int]:
    """The event that follows the halfway point (or the start) of step ``index``."""
    return ("step", index + 1) if index + 1 < state.total else ("finish", index)


def _schedule(state: SessionState, index: int, started: float, scale: float) -> SessionState:
    """Set the pending event of step ``index``, just begun at ``started``."""
    length = state.step_length(index, scale)
    if state.steps[index].halfway:
        return replace(
            state,
            step=index,
            next_event="halfway",
            step_started_at=started,
            due_at=started + length / 2,
        )
    event, target = _after(state, index)
    return replace(
        state, step=target, next_event=event, step_started_at=started, due_at=started + length
    )


def fire(state: SessionState, now: float, scale: float) -> Fired:
    """Fire the pending event of a running session at ``now``."""
    if state.status != "running" or state.due_at is None:
        raise ValueError(f"session {state.id} has nothing pending")
    lateness = now - state.due_at
    late = lateness > LATE_AFTER
    if state.next_event == "step":
        index = state.step
        done = _completed(state, index)
        started = now if late else state.due_at
        fresh = replace(state, next_event="step", steps_done=done[0], seconds_done=done[1])
        return Fired("step", index, late, _schedule(fresh, index, started, scale))
    if state.next_event == "halfway":
        index = state.step
        started = state.step_started_at if state.step_started_at is not None else now
        if late:
            started += lateness  # the time we were away does not count against the step
        event, target = _after(state, index)
        length = state.step_length(index, scale)
        return Fired(
            "halfway",
            index,
            late,
            replace(
                state,
                step=target,
                next_event=event,
                step_started_at=started,
                due_at=started + length,
            ),
        )
    finished = replace(
        state,
        status="done",
        due_at=None,
        ended_at=now,
        steps_done=state.total,
        seconds_done=state.length_seconds,
    )
    return Fired("finish", state.total - 1, late, finished)


def _completed(state: SessionState, next_index: int) -> tuple[int, int]:
    """Steps and plan seconds completed once step ``next_index`` begins."""
    return next_index, sum(step.seconds for step in state.steps[:next_index])


def begin(state: SessionState, now: float) -> SessionState:
    """The Start button: the first step is due at once."""
    return replace(
        state, status="running", step=0, next_event="step", due_at=now, step_started_at=None
    )


def remaining(state: SessionState, now: float, scale: float) -> float:
    """Real seconds left of the step the giver is doing."""
    if state.status == "paused":
        return state.paused_remaining or 0.0
    index = state.showing
    if index is None or state.step_started_at is None:
        return 0.0
    end = state.step_started_at + state.step_length(index, scale)
    return max(0.0, end - now)


def pause(state: SessionState, now: float, scale: float) -> SessionState:
    """Freeze the time left of the current step; nothing falls due while paused."""
    return replace(
        state, status="paused", paused_remaining=remaining(state, now, scale), due_at=None
    )


def resume(state: SessionState, now: float, scale: float) -> SessionState:
    """Continue with exactly the time that was left when paused."""
    index = state.showing
    left = state.paused_remaining or 0.0
    if index is None:
        return replace(state, status="running", paused_remaining=None, due_at=now)
    started = now - (state.step_length(index, scale) - left)
    length = state.step_length(index, scale)
    due = started + length / 2 if state.next_event == "halfway" else started + length
    return replace(
        state, status="running", paused_remaining=None, step_started_at=started, due_at=due
    )


def skip(state: SessionState, now: float) -> SessionState:
    """Move on at once: the step after the current one (or the finish) is due now."""
    index = state.showing
    if index is None:
        return replace(state, status="running", next_event="step", step=0, due_at=now)
    event, target = _after(state, index)
    return replace(
        state,
        status="running",
        step=target,
        next_event=event,
        due_at=now,
        paused_remaining=None,
    )


def stop(state: SessionState, now: float, scale: float) -> SessionState:
    """End the session, counting the steps done and the plan time spent."""
    index = state.showing
    if index is None:
        return replace(state, status="stopped", due_at=None, ended_at=now)
    length = state.step_length(index, scale)
    spent = 1.0 - (remaining(state, now, scale) / length if length else 0.0)
    done = index + (1 if spent >= 0.5 else 0)
    seconds = sum(s.seconds for s in state.steps[:index]) + round(
        state.steps[index].seconds * spent
    )
    return replace(
        state,
        status="stopped",
        due_at=None,
        ended_at=now,
        paused_remaining=None,
        steps_done=done,
        seconds_done=seconds,
    )


@dataclass(frozen=True)
class HistoryItem:
    """One ended session as the history shows it."""

    title: str
    ended_at: float
    status: str
    steps_done: int
    total_steps: int
    seconds_done: int
    rating: int | None
