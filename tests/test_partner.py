"""Partner mode's pure parts: preferences, the adapted plan, the new transitions, pacing."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

from bot.catalog.entries import Catalog
from bot.partner import replies
from bot.partner.pace import Paced
from bot.partner.prefs import Preferences, adapt, gentler, pressure_for, summary
from bot.partner.service import INVITE_PREFIX, new_token, token_hash
from bot.sessions import state as transitions
from bot.sessions.plan import PlanStep, plan_routine
from bot.sessions.state import SessionState
from tests.support.app import shipped_catalog


def catalog() -> Catalog:
    return shipped_catalog()


def quick() -> list[str]:
    routine = catalog().get("routine.quick-relax")
    assert routine is not None
    return [step.technique for step in plan_routine(routine).steps]


def test_no_preferences_leave_the_plan_as_it_is() -> None:
    routine = catalog().get("routine.quick-relax")
    assert routine is not None
    plan = plan_routine(routine)
    assert adapt(plan, Preferences(), catalog()) == plan


def test_avoided_areas_drop_their_steps_and_keep_the_length() -> None:
    routine = catalog().get("routine.lower-back")
    assert routine is not None
    plan = plan_routine(routine, 10)
    adapted = adapt(plan, Preferences(avoid=("lower",)), catalog())
    kept = [step.technique for step in adapted.steps]
    assert "technique.thumb-strips" not in kept
    assert "technique.side-lifting-effleurage" not in kept
    assert "technique.oil-application" in kept  # a whole-back stroke stays
    assert adapted.seconds == plan.seconds == 600
    oil = adapted.steps[kept.index("technique.oil-application")]
    assert "Keep off the lower back." in oil.cue


def test_every_step_avoided_keeps_them_all_with_a_reminder() -> None:
    routine = catalog().get("routine.quick-relax")
    assert routine is not None
    plan = plan_routine(routine)
    everything = Preferences(avoid=("shoulders", "blades", "lower"))
    adapted = adapt(plan, everything, catalog())
    assert len(adapted.steps) == len(plan.steps)
    assert all("Keep off" in step.cue for step in adapted.steps)


def test_focus_areas_get_more_time() -> None:
    routine = catalog().get("routine.quick-relax")
    assert routine is not None
    plan = plan_routine(routine)
    adapted = adapt(plan, Preferences(focus=("shoulders",)), catalog())
    index = quick().index("technique.trapezius-kneading")
    assert adapted.steps[index].seconds > plan.steps[index].seconds
    assert adapted.seconds == plan.seconds
    assert "focus area" in adapted.steps[index].cue


def test_the_pressure_cue_never_goes_above_what_the_step_allows() -> None:
    light = catalog().get("technique.whole-hand-effleurage")
    firm = catalog().get("technique.middle-finger-friction")
    medium = catalog().get("technique.trapezius-kneading")
    assert pressure_for("firm", light) == "light"
    assert pressure_for("firm", firm) == "firm"
    assert pressure_for("firm", medium) == "medium"
    assert pressure_for("gentle", firm) == "light"
    assert pressure_for("medium", None) == "medium"
    routine = catalog().get("routine.quick-relax")
    assert routine is not None
    adapted = adapt(plan_routine(routine), Preferences(pressure="firm"), catalog())
    assert "Pressure: light." in adapted.steps[0].cue  # oiling is light at most


def test_areas_toggle_and_whole_back_excludes_the_others() -> None:
    prefs = Preferences().toggled("focus", "lower").toggled("focus", "shoulders")
    assert prefs.focus == ("shoulders", "lower")
    assert prefs.toggled("focus", "whole").focus == ("whole",)
    assert prefs.toggled("focus", "whole").toggled("focus", "blades").focus == ("blades",)
    assert prefs.toggled("focus", "lower").focus == ("shoulders",)
    assert Preferences.from_json(prefs.to_json()) == prefs
    odd = '{"focus": ["neck", "lower"], "avoid": ["whole"], "pressure": "brutal"}'
    assert Preferences.from_json(odd) == Preferences(focus=("lower",))
    assert Preferences.from_json("not json") == Preferences()
    assert summary(Preferences(), "") == "no preferences"


def test_a_gentler_step_is_light_and_on_the_same_part_of_the_back() -> None:
    step = PlanStep("technique.trapezius-kneading", 60, "Squeeze")
    softer = gentler(step, catalog(), Preferences(), 45)
    assert softer is not None and softer.seconds == 45
    entry = catalog().get(softer.technique)
    assert entry is not None and entry.pressure == "light"
    assert set(entry.zones) & {"shoulders", "upper", "neck"}
    assert gentler(PlanStep("technique.oil-application", 40), catalog(), Preferences(), 30) is None
    assert gentler(PlanStep("technique.gone", 40), catalog(), Preferences(), 30) is None


def _running(steps: tuple[PlanStep, ...], **changes: object) -> SessionState:
    state = SessionState(
        id=1, chat_id=1, kind="routine", entry_id="r", title="R", steps=steps, status="ready"
    )
    return replace(transitions.fire(transitions.begin(state, 0.0), 0.0, 1.0).state, **changes)


def test_extend_adds_plan_time_to_the_current_step_only() -> None:
    steps = (PlanStep("a", 60), PlanStep("b", 60))
    state = _running(steps)
    assert state.due_at == 60.0
    longer = transitions.extend(state, 30, 10.0, 1.0)
    assert longer.steps[0].seconds == 90 and longer.steps[1].seconds == 60
    assert longer.due_at == 90.0
    halfway = _running((PlanStep("a", 60, "", "switch"), PlanStep("b", 60)))
    assert halfway.due_at == 30.0
    assert transitions.extend(halfway, 30, 10.0, 1.0).due_at == 45.0
    paused = transitions.pause(state, 20.0, 1.0)
    assert transitions.extend(paused, 30, 25.0, 1.0).paused_remaining == 70.0
    ready = replace(state, status="ready", step=0, next_event="step")
    assert transitions.extend(ready, 30, 0.0, 1.0) == ready


def test_redo_with_replaces_the_current_step_and_shows_it_now() -> None:
    state = transitions.fire(_running((PlanStep("a", 60), PlanStep("b", 60))), 60.0, 1.0).state
    assert state.showing == 1
    redo = transitions.redo_with(state, PlanStep("soft", 40), 70.0)
    assert redo.steps[1] == PlanStep("soft", 40) and redo.steps[0] == state.steps[0]
    assert (redo.step, redo.next_event, redo.due_at) == (1, "step", 70.0)
    fired = transitions.fire(redo, 70.0, 1.0)
    assert (fired.kind, fired.index) == ("step", 1)
    assert fired.state.due_at == 110.0


def test_presses_within_the_interval_go_out_together() -> None:
    async def scenario() -> list[list[str]]:
        sent: list[list[str]] = []

        async def flush(key: int, items: list[str]) -> None:
            sent.append(items)

        paced: Paced[str] = Paced(flush, interval=0.05)
        paced.submit(1, "lighter")
        await asyncio.sleep(0)  # the first goes out at once
        await asyncio.sleep(0)
        paced.submit(1, "slower")
        paced.submit(1, "ouch")
        await paced.drain()
        return sent

    assert asyncio.run(scenario()) == [["lighter"], ["slower", "ouch"]]


def test_tokens_are_random_fit_the_start_parameter_and_only_their_hash_is_kept() -> None:
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)
        assert len(INVITE_PREFIX + token) <= 64
        assert token not in token_hash(token) and len(token_hash(token)) == 64


def test_health_question_degrades_when_safety_entries_are_missing() -> None:
    found = replies.health_conditions(catalog())
    assert any("numbness" in line for line in found)
    empty = Catalog(entries={})
    assert replies.health_conditions(empty) == list(replies.FALLBACK_CONDITIONS)
    assert replies.safety_cards(empty, replies.HEALTH_ENTRIES) == []
