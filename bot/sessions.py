"""Guided sessions as pure logic: plans, state transitions, button data and step messages.

Nothing here touches the database, the clock or Telegram: every function takes the time it
needs and returns a new value, so the timing rules can be tested exactly.

A running session always has exactly one pending *event* (``next_event`` at ``due_at``):
show step ``step``, give the halfway cue of step ``step``, or finish. Firing an event returns
the next state and says what to send; pause, resume, skip and stop rewrite the pending event.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace

from bot.cards import format_minutes, html_text
from bot.content import MIN_STEP_SECONDS, Catalog, Entry
from bot.messaging import Button, Reply

PRACTICE_SECONDS = 120
PRACTICE_HALFWAY = "Halfway there: switch to the other side now."
# An event sent this much later than planned (the bot was down, or Telegram held it back)
# restarts the step clock, so the giver still gets the step's full time, and says sorry.
LATE_AFTER = 2.0

OPEN = ("ready", "running", "paused")
ENDED = ("done", "stopped", "gone", "failed")

# Routine ids people reach by a word; the first match wins, so "full" comes before the rest.
_ROUTINE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("routine.full-back", ("full", "whole", "entire", "complete", "upper and lower")),
    ("routine.upper-back", ("upper", "shoulder", "neck", "trapezius")),
    ("routine.lower-back", ("lower", "low back", "lumbar", "waist")),
    ("routine.quick-relax", ("quick", "relax", "unwind", "short", "five minute")),
)


# --------------------------------------------------------------------------------------------
# Plans
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanStep:
    """One step as it will be run: the technique, its (unscaled) seconds and what to say."""

    technique: str
    seconds: int
    cue: str = ""
    halfway: str = ""


@dataclass(frozen=True)
class Plan:
    """A routine fitted to a length; ``notice`` explains a length we had to change."""

    kind: str  # "routine" or "practice"
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
        notice = f"{shortest} min is the shortest I can make this routine, so I used that."
        minutes = shortest
    elif minutes > longest:
        notice = f"{longest} min is the longest I stretch this routine to, so I used that."
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
        title=f"Practice: {technique.title}",
        steps=(PlanStep(technique.id, PRACTICE_SECONDS, "", PRACTICE_HALFWAY),),
    )


def plan_to_json(steps: tuple[PlanStep, ...]) -> str:
    return json.dumps([[s.technique, s.seconds, s.cue, s.halfway] for s in steps])


def plan_from_json(text: str) -> tuple[PlanStep, ...]:
    return tuple(PlanStep(str(t), int(sec), str(c), str(h)) for t, sec, c, h in json.loads(text))


# --------------------------------------------------------------------------------------------
# State and transitions
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Button data: built and parsed here only
# --------------------------------------------------------------------------------------------

PREFIX = "ses:"
# Control actions bound to a session and the step it was showing.
CONTROLS = {"p": "pause", "r": "resume", "n": "skip", "x": "stop", "g": "go"}


@dataclass(frozen=True)
class Callback:
    """A parsed ``ses:`` button."""

    action: str  # menu, start, practice, replace, keep, rate, pause, resume, skip, stop, go
    session_id: int = 0
    step: int = 0
    target: str = ""  # routine or technique id
    minutes: int | None = None
    stars: int = 0


def control_data(action: str, session_id: int, step: int) -> str:
    code = next(code for code, name in CONTROLS.items() if name == action)
    return f"{PREFIX}{code}:{session_id}:{step}"


def start_data(routine_id: str) -> str:
    return f"{PREFIX}start:{routine_id}"


def practice_data(technique_id: str) -> str:
    return f"{PREFIX}practice:{technique_id}"


def replace_data(plan_kind: str, entry_id: str, minutes: int | None) -> str:
    kind = "p" if plan_kind == "practice" else "r"
    return f"{PREFIX}rep:{kind}:{minutes or 0}:{entry_id}"


def rate_data(session_id: int, stars: int) -> str:
    return f"{PREFIX}rate:{session_id}:{stars}"


MENU_DATA = f"{PREFIX}menu"
KEEP_DATA = f"{PREFIX}keep"


def parse_callback(data: str) -> Callback | None:
    """Parse ``ses:`` button data; None for anything malformed or forged."""
    if not data.startswith(PREFIX):
        return None
    parts = data[len(PREFIX) :].split(":")
    head, args = parts[0], parts[1:]
    if head == "menu" and not args:
        return Callback("menu")
    if head == "keep" and not args:
        return Callback("keep")
    if head in ("start", "practice") and len(args) == 1 and args[0]:
        return Callback(head, target=args[0])
    if head == "rep" and len(args) == 3 and args[0] in ("r", "p") and args[1].isdigit():
        action = "replace-practice" if args[0] == "p" else "replace"
        return Callback(action, target=args[2], minutes=int(args[1]) or None)
    numbers = [arg for arg in args if arg.isdigit() and len(arg) < 12]
    if head == "rate" and len(numbers) == 2 == len(args) and 1 <= int(args[1]) <= 5:
        return Callback("rate", session_id=int(args[0]), stars=int(args[1]))
    if head in CONTROLS and len(numbers) == 2 == len(args):
        return Callback(CONTROLS[head], session_id=int(args[0]), step=int(args[1]))
    return None


# --------------------------------------------------------------------------------------------
# Text requests
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRequest:
    """What a message asked of the sessions feature."""

    action: str  # menu, start, pause, resume, skip, stop, history
    routine_id: str = ""
    minutes: int | None = None


_CONTROL_PHRASES = {
    "pause": ("pause", "pause session", "pause it", "hold on", "wait"),
    "resume": ("resume", "continue", "go on", "unpause", "carry on", "keep going"),
    "skip": ("next", "skip", "next step", "skip step", "skip this", "skip it"),
    "stop": ("stop", "end", "stop session", "end session", "stop the session", "finish"),
}
_MINUTES = re.compile(r"\b(\d{1,3})\s*-?\s*(?:m|min|mins|minute|minutes)?\b")
_SESSION_WORDS = re.compile(r"\b(session|sessions)\b")
_START_VERBS = re.compile(r"^(?:let'?s\s+)?(?:start|begin|run|do|guide me through)\b")


def _normal(text: str) -> str:
    lowered = text.lower().replace("’", "'").replace("-", " ")
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s']", " ", lowered)).strip()


def routine_for(words: str) -> str:
    """The routine id a phrase names, or "" when it names none."""
    normal = _normal(words)
    for routine_id, keys in _ROUTINE_WORDS:
        if any(re.search(rf"\b{re.escape(key)}", normal) for key in keys):
            return routine_id
    return ""


def minutes_in(words: str) -> int | None:
    match = _MINUTES.search(_normal(words))
    return int(match[1]) if match else None


def parse_session_request(text: str) -> SessionRequest | None:
    """Recognise "pause", "next", "stop", "start a session", "10 minute lower back session".

    Returns None for anything else, so the text can be answered as a question.
    """
    if len(text) > 200:
        return None
    normal = _normal(text)
    for action, phrases in _CONTROL_PHRASES.items():
        if normal in phrases:
            return SessionRequest(action)
    if normal in ("history", "my sessions", "session history", "show my sessions"):
        return SessionRequest("history")
    asks_session = bool(_SESSION_WORDS.search(normal))
    routine_id = routine_for(normal)
    names_routine = bool(routine_id) and bool(re.search(r"\b(routine|massage)\b", normal))
    if not asks_session and not (names_routine and _START_VERBS.search(normal)):
        return None
    if re.search(r"^(how|what|why|when|where|which|can|should|is|are|do i|does)\b", normal):
        return None  # a question about sessions, for the ask feature
    if not routine_id:
        return SessionRequest("menu")
    return SessionRequest("start", routine_id=routine_id, minutes=minutes_in(normal))


def parse_command_args(args: list[str]) -> SessionRequest:
    """``/session``, ``/session upper 10``, ``/session 10 lower back``."""
    words = " ".join(args)
    routine_id = routine_for(words)
    if not routine_id:
        return SessionRequest("menu")
    return SessionRequest("start", routine_id=routine_id, minutes=minutes_in(words))


# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------

CHECKLIST = (
    "🧺 <b>Before you start</b>",
    "• Room warm and quiet, phone on silent, light soft",
    "• Table or firm bed at hip height, covered with a towel",
    "• Oil patch-tested on a little skin (no redness after a few minutes)",
    "• Two towels in reach: one to lie on, one to keep them warm",
    "• Nails short, hands warm, your partner lying face down and comfortable",
)
STEP_OVER = "This step is over."
NO_SESSION = "There's no session running. /session starts one."


def short_lines(body: str, limit: int = 2, width: int = 150) -> list[str]:
    """The first numbered instructions of a technique, trimmed to a few short lines."""
    lines: list[str] = []
    for raw in body.splitlines():
        line = re.sub(r"^\s*\d+[.)]\s*", "", raw).strip()
        if not line:
            continue
        if len(line) > width:
            line = line[: width - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        lines.append(line)
        if len(lines) == limit:
            break
    return lines


def progress_bar(done: int, total: int, cells: int = 10) -> str:
    filled = round(cells * done / total) if total else cells
    return "▰" * filled + "▱" * (cells - filled)


def _technique(catalog: Catalog, technique_id: str) -> Entry | None:
    return catalog.get(technique_id)


def _name(catalog: Catalog, technique_id: str) -> str:
    entry = _technique(catalog, technique_id)
    return entry.title if entry else technique_id


def control_buttons(state: SessionState, index: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            Button("⏸ Pause", control_data("pause", state.id, index)),
            Button("⏭ Skip", control_data("skip", state.id, index)),
            Button("⏹ Stop", control_data("stop", state.id, index)),
        ),
    )


def step_reply(state: SessionState, index: int, catalog: Catalog, *, late: bool) -> Reply:
    """One step: number, technique, time, what to do, the cue, progress and what's next."""
    step = state.steps[index]
    technique = _technique(catalog, step.technique)
    name = technique.title if technique else step.technique
    lines: list[str] = []
    if late:
        lines.extend(["<i>Sorry for the pause, I was away for a moment. Here we go again:</i>"])
    lines.append(
        f"<b>Step {index + 1} of {state.total} · {html_text(name)} · "
        f"{format_minutes(step.seconds)}</b>"
    )
    if technique:
        lines.extend(html_text(line) for line in short_lines(technique.body))
    if step.cue:
        lines.append(f"💬 <i>{html_text(step.cue)}</i>")
    if step.halfway:
        lines.append("↔️ I'll tell you when you're halfway.")
    lines.append(progress_bar(index + 1, state.total) + f" {index + 1}/{state.total}")
    if index + 1 < state.total:
        lines.append(f"next: {html_text(_name(catalog, state.steps[index + 1].technique))}")
    else:
        lines.append("next: rest and aftercare")
    picture = technique.id if technique is not None and technique.picture is not None else ""
    return Reply("\n".join(lines), buttons=control_buttons(state, index), picture=picture)


def halfway_reply(state: SessionState, index: int, *, late: bool) -> Reply:
    step = state.steps[index]
    note = "Sorry for the pause. " if late else ""
    return Reply(f"↔️ <b>Halfway</b>: {note}{html_text(step.halfway)}")


def aftercare_reply(state: SessionState, catalog: Catalog) -> Reply:
    tip = catalog.get("tip.rest-after-massage")
    lines = [
        f"🎉 <b>Well done: {html_text(state.title)} is complete</b> "
        f"({format_minutes(state.length_seconds)}).",
        "",
        "<b>Aftercare</b>",
        "• Let them rest a few minutes, wrapped in a towel so they stay warm.",
        "• Offer a glass of water.",
    ]
    if tip:
        lines.append(f"• {html_text(tip.summary)}")
    lines.extend(["", "How did it go? Tap a rating:"])
    stars = tuple(Button(f"{n}⭐", rate_data(state.id, n)) for n in range(1, 6))
    return Reply("\n".join(lines), buttons=(stars,))


def checklist_reply(state: SessionState, catalog: Catalog, notice: str = "") -> Reply:
    minutes = format_minutes(state.length_seconds)
    lines = [f"🧘 <b>{html_text(state.title)}</b> · {minutes}, {state.total} steps", ""]
    if notice:
        lines.extend([f"<i>{html_text(notice)}</i>", ""])
    lines.extend(CHECKLIST)
    lines.extend(
        [
            "",
            "Each step arrives with a notification: its sound is your cue to move on. "
            "You can also type <i>pause</i>, <i>next</i> or <i>stop</i>.",
        ]
    )
    buttons = (
        (
            Button("▶️ Start", control_data("go", state.id, 0)),
            Button("✖️ Not now", control_data("stop", state.id, 0)),
        ),
    )
    return Reply("\n".join(lines), buttons=buttons)


def menu_reply(catalog: Catalog) -> Reply:
    """The routine picker: one button per routine, with its length."""
    rows: list[tuple[Button, ...]] = []
    for routine in catalog.of_kind("routine"):
        label = f"{routine.title} · {default_minutes(routine)} min"
        rows.append((Button(label, start_data(routine.id)),))
    text = (
        "🧘 <b>Guided session</b>\n"
        "Pick a routine and I'll lead you step by step, on time.\n\n"
        "Want another length? Type e.g. <i>10 minute lower back session</i> "
        "or <code>/session upper 12</code>."
    )
    return Reply(text, buttons=tuple(rows))


def replace_reply(state: SessionState, plan: Plan, minutes: int | None) -> Reply:
    shown = state.showing
    where = f"step {shown + 1} of {state.total}" if shown is not None else "not started yet"
    paused = ", paused" if state.status == "paused" else ""
    text = (
        f"A session is already on: <b>{html_text(state.title)}</b> ({where}{paused}).\n"
        f"Replace it with <b>{html_text(plan.title)}</b>?"
    )
    buttons = (
        (
            Button("🔁 Replace it", replace_data(plan.kind, plan.entry_id, minutes)),
            Button("↩️ Keep the current one", KEEP_DATA),
        ),
    )
    return Reply(text, buttons=buttons)


def paused_reply(state: SessionState) -> Reply:
    left = format_minutes(max(1, round(state.paused_remaining or 0)))
    index = state.showing
    where = f" of step {index + 1}" if index is not None else ""
    buttons = (
        (
            Button("▶️ Resume", control_data("resume", state.id, index or 0)),
            Button("⏹ Stop", control_data("stop", state.id, index or 0)),
        ),
    )
    return Reply(f"⏸ Paused with {left} left{where}.", buttons=buttons, notify=False)


def resumed_reply(state: SessionState, now: float, scale: float) -> Reply:
    left = format_minutes(max(1, round(remaining(state, now, scale))))
    index = state.showing
    where = f" of step {index + 1}" if index is not None else ""
    return Reply(f"▶️ Carry on: {left} left{where}.", notify=False)


def stopped_reply(state: SessionState) -> Reply:
    if state.showing is None:
        return Reply("OK, no session for now. /session when you're ready.", notify=False)
    return Reply(
        f"⏹ Stopped after {state.steps_done} of {state.total} steps "
        f"({format_minutes(state.seconds_done)} of {format_minutes(state.length_seconds)}). "
        "Let them rest a moment, wrapped in a towel. /session to start again.",
        notify=False,
    )
