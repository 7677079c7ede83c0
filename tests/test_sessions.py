"""The pure session logic: fitting routines, timing transitions, replies."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot import callbacks as cb
from bot.catalog.entries import MIN_STEP_SECONDS, Catalog
from bot.sessions import plan as plans
from bot.sessions import replies
from bot.sessions import state as states
from bot.sessions.replies import streak_days
from tests.support.app import shipped_catalog


@pytest.fixture
def catalog() -> Catalog:
    return shipped_catalog()


def test_every_routine_fits_every_allowed_length_exactly(catalog: Catalog) -> None:
    for routine in catalog.of_kind("routine"):
        low, high = plans.length_bounds(routine)
        for minutes in range(low, high + 1):
            plan = plans.plan_routine(routine, minutes)
            assert plan.seconds == minutes * 60, (routine.id, minutes)
            assert min(step.seconds for step in plan.steps) >= MIN_STEP_SECONDS
            assert not plan.notice


def test_out_of_bounds_lengths_are_clamped_with_a_notice(catalog: Catalog) -> None:
    routine = catalog.entries["routine.full-back"]
    low, high = plans.length_bounds(routine)
    short = plans.plan_routine(routine, 1)
    assert short.seconds == low * 60 and str(low) in short.notice
    long = plans.plan_routine(routine, 999)
    assert long.seconds == high * 60 and str(high) in long.notice


def test_short_lengths_drop_the_lowest_ranks_first(catalog: Catalog) -> None:
    routine = catalog.entries["routine.upper-back"]
    natural = plans.plan_routine(routine)
    assert len(natural.steps) == len(routine.steps)
    shorter = plans.plan_routine(routine, 12)
    kept = [step.technique for step in shorter.steps]
    ranked = {step.technique: step.drop for step in routine.steps if step.drop}
    dropped_ranks = sorted(ranked[t] for t in ranked if t not in kept)
    assert dropped_ranks == list(range(1, len(dropped_ranks) + 1))
    assert dropped_ranks  # below the 15-minute minimum something had to go
    # Steps without a drop rank are always kept, in their order.
    required = [step.technique for step in routine.steps if step.drop is None]
    assert [t for t in kept if t in required] == required


def test_at_or_above_the_minimum_nothing_is_dropped(catalog: Catalog) -> None:
    routine = catalog.entries["routine.lower-back"]
    assert len(plans.plan_routine(routine, 10).steps) == len(routine.steps)
    assert len(plans.plan_routine(routine, 9).steps) < len(routine.steps)


def test_practice_is_two_minutes_with_a_halfway_cue(catalog: Catalog) -> None:
    plan = plans.plan_practice(catalog.entries["technique.trapezius-kneading"])
    assert plan.seconds == 120 and len(plan.steps) == 1 and plan.steps[0].halfway


def _state(catalog: Catalog, routine_id: str = "routine.upper-back") -> states.SessionState:
    plan = plans.plan_routine(catalog.entries[routine_id])
    return states.SessionState(
        id=7, chat_id=1, kind="routine", entry_id=routine_id, title=plan.title,
        steps=plan.steps, status="ready",
    )  # fmt: skip


def _run(state: states.SessionState, scale: float = 1.0) -> list[tuple[str, int, float]]:
    """Fire every event exactly on time; returns (kind, step index, time fired)."""
    events = []
    while state.status == "running":
        assert state.due_at is not None
        fired = states.fire(state, state.due_at, scale)
        events.append((fired.kind, fired.index, state.due_at))
        state = fired.state
    return events


def test_events_follow_the_plan_without_drift(catalog: Catalog) -> None:
    state = states.begin(_state(catalog), 1000.0)
    events = _run(state)
    steps = [event for event in events if event[0] == "step"]
    assert [index for _, index, _ in steps] == list(range(len(state.steps)))
    halfway = [index for kind, index, _ in events if kind == "halfway"]
    assert halfway == [i for i, step in enumerate(state.steps) if step.halfway]
    assert events[-1][0] == "finish"
    assert events[-1][2] == 1000.0 + state.length_seconds  # no drift over the session


def test_time_scale_scales_every_duration(catalog: Catalog) -> None:
    state = states.begin(_state(catalog), 0.0)
    assert _run(state, scale=0.01)[-1][2] == pytest.approx(state.length_seconds * 0.01)


def test_pause_and_resume_keep_exactly_the_time_left(catalog: Catalog) -> None:
    state = states.fire(states.begin(_state(catalog), 0.0), 0.0, 1.0).state  # step 1 shown at t=0
    length = state.steps[0].seconds
    paused = states.pause(state, 30.0, 1.0)
    assert paused.status == "paused" and paused.due_at is None
    assert paused.paused_remaining == length - 30.0
    resumed = states.resume(paused, 500.0, 1.0)
    assert resumed.due_at == 500.0 + length - 30.0
    assert states.remaining(resumed, 500.0, 1.0) == length - 30.0


def test_pause_before_the_halfway_cue_keeps_it_pending(catalog: Catalog) -> None:
    state = states.begin(_state(catalog), 0.0)
    while state.next_event != "halfway":
        assert state.due_at is not None
        state = states.fire(state, state.due_at, 1.0).state
    started = state.step_started_at or 0.0
    length = state.steps[state.step].seconds
    resumed = states.resume(states.pause(state, started + 10, 1.0), started + 100, 1.0)
    assert resumed.next_event == "halfway"
    assert resumed.due_at == pytest.approx(started + 100 - 10 + length / 2)


def test_skip_moves_on_now_and_stop_counts_progress(catalog: Catalog) -> None:
    state = states.fire(states.begin(_state(catalog), 0.0), 0.0, 1.0).state
    skipped = states.skip(state, 5.0)
    assert (skipped.next_event, skipped.step, skipped.due_at) == ("step", 1, 5.0)
    second = states.fire(skipped, 5.0, 1.0).state
    stopped = states.stop(second, 5.0 + second.steps[1].seconds * 0.75, 1.0)
    assert stopped.status == "stopped" and stopped.due_at is None
    assert stopped.steps_done == 2
    assert stopped.seconds_done == state.steps[0].seconds + round(state.steps[1].seconds * 0.75)


def test_a_late_event_says_sorry_and_restarts_the_step_clock(catalog: Catalog) -> None:
    state = states.fire(states.begin(_state(catalog), 0.0), 0.0, 1.0).state
    assert state.due_at is not None
    fired = states.fire(state, state.due_at + 600, 1.0)
    assert fired.late and fired.kind == "step"
    assert fired.state.step_started_at == state.due_at + 600
    reply = replies.step_reply(fired.state, fired.index, catalog, late=True)
    assert "Sorry for the pause" in reply.text
    on_time = states.fire(state, state.due_at + 0.05, 1.0)
    assert not on_time.late and on_time.state.step_started_at == state.due_at


def test_step_message_has_number_name_cue_progress_next_and_controls(catalog: Catalog) -> None:
    state = states.fire(states.begin(_state(catalog), 0.0), 0.0, 1.0).state
    reply = replies.step_reply(state, 0, catalog, late=False)
    first_line = reply.text.splitlines()[0]
    assert first_line.startswith("<b>Step 1 of 11 · ") and " min" in first_line
    assert "💬" in reply.text and "▰" in reply.text and "next: " in reply.text
    assert reply.notify
    labels = [button.text for row in reply.buttons for button in row]
    assert labels == ["⏸ Pause", "⏭ Skip", "⏹ Stop"]
    assert len(reply.text.splitlines()) <= 8


def test_replace_button_of_the_longest_technique_fits(catalog: Catalog) -> None:
    longest = max((e.id for e in catalog.of_kind("technique")), key=len)
    press = cb.SessionReplace("practice", 0, longest)
    assert len(press.data().encode()) <= 64
    assert cb.parse(press.data()) == press


def test_streak_counts_consecutive_days_up_to_today_or_yesterday() -> None:
    today = date(2025, 3, 10)
    days = {date(2025, 3, 9), date(2025, 3, 8), date(2025, 3, 6)}
    assert streak_days(days, today) == 2
    assert streak_days(days | {today}, today) == 3
    assert streak_days({date(2025, 3, 1)}, today) == 0


def test_stopping_before_the_first_step_is_not_history(catalog: Catalog) -> None:
    stopped = states.stop(_state(catalog), 5.0, 1.0)
    assert stopped.steps_done == 0 and stopped.status == "stopped"
    assert replace(stopped, status="x").seconds_done == 0


def test_a_one_step_practice_counts_its_step_in_the_singular(catalog: Catalog) -> None:
    plan = plans.plan_practice(catalog.entries["technique.trapezius-kneading"])
    ready = states.SessionState(
        id=1,
        chat_id=1,
        kind=plan.kind,
        entry_id=plan.entry_id,
        title=plan.title,
        steps=plan.steps,
        status="ready",
    )
    heading = replies.checklist_reply(ready, catalog).text.splitlines()[0]
    assert heading.endswith(" · 2 min, 1 step"), heading
    shown = states.fire(states.begin(ready, 0.0), 0.0, 1.0).state
    stopped = replies.stopped_reply(states.stop(shown, 10.0, 1.0)).text
    assert stopped.startswith("⏹ Stopped after 0 of 1 step ("), stopped
    routine = _state(catalog)
    assert f", {routine.total} steps" in replies.checklist_reply(routine, catalog).text
