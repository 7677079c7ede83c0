"""Every text a person reads about guided sessions: steps, checklist, menus, answers, history.

Replies are built from plain values (a state, a plan, counts); escaping of every dynamic
string happens here, so callers never format text themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from bot import callbacks as cb
from bot.catalog.entries import Catalog, Entry
from bot.messaging import Button, Reply
from bot.sessions.state import HistoryItem, SessionState, remaining
from bot.text import format_minutes, html_text

if TYPE_CHECKING:
    from bot.sessions.plan import Plan

HISTORY_LIMIT = 5

# -- what a plan says (stored with the session) --------------------------------------------

PRACTICE_HALFWAY = "Halfway there: switch to the other side now."


def practice_title(technique_title: str) -> str:
    return f"Practice: {technique_title}"


def shortest_notice(minutes: int) -> str:
    return f"{minutes} min is the shortest I can make this routine, so I used that."


def longest_notice(minutes: int) -> str:
    return f"{minutes} min is the longest I stretch this routine to, so I used that."


def plural(count: int, noun: str) -> str:
    """``1 step``, ``2 steps``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


# -- short answers -------------------------------------------------------------------------

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
NOT_STARTED = "The session hasn't started yet: press ▶️ Start when you're ready."
ALREADY_GOING = "We're already going. Type <i>pause</i> to pause."
TOAST_GO = "Here we go"
TOAST_STOPPED = "Stopped"
TOAST_PAUSED = "Paused"
TOAST_RESUMED = "Resumed"
TOAST_NEXT = "Next step"
TOAST_WAIT = "Not yet"
UNKNOWN_ROUTINE = "That routine isn't available any more. Here are the ones I have:"
NOTHING_TO_RATE = "This session can't be rated any more."
KEPT = "OK, carrying on with the current session."
MENU_EXPIRED = "This menu has expired. Send /session for a fresh one."
RATED = "Thanks!"


def thanks_reply(stars: int) -> Reply:
    return Reply(
        f"Thanks for rating this session {'⭐' * stars}. /history shows your sessions.",
        notify=False,
    )


# -- messages ------------------------------------------------------------------------------


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
            Button("⏸ Pause", cb.SessionControl("pause", state.id, index)),
            Button("⏭ Skip", cb.SessionControl("skip", state.id, index)),
            Button("⏹ Stop", cb.SessionControl("stop", state.id, index)),
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
    stars = tuple(Button(f"{n}⭐", cb.SessionRate(state.id, n)) for n in range(1, 6))
    return Reply("\n".join(lines), buttons=(stars,))


def checklist_reply(state: SessionState, catalog: Catalog, notice: str = "") -> Reply:
    minutes = format_minutes(state.length_seconds)
    lines = [f"🧘 <b>{html_text(state.title)}</b> · {minutes}, {plural(state.total, 'step')}", ""]
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
            Button("▶️ Start", cb.SessionControl("go", state.id, 0)),
            Button("✖️ Not now", cb.SessionControl("stop", state.id, 0)),
        ),
        (Button("👥 Invite your partner", cb.PartnerInvite()),),
    )
    return Reply("\n".join(lines), buttons=buttons)


def menu_reply(routines: Sequence[tuple[Entry, int]]) -> Reply:
    """The routine picker: one button per routine (with its length in minutes)."""
    rows: list[tuple[Button, ...]] = []
    for routine, minutes in routines:
        label = f"{routine.title} · {minutes} min"
        rows.append((Button(label, cb.SessionStart(routine.id)),))
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
            Button("🔁 Replace it", cb.SessionReplace(plan.kind, minutes or 0, plan.entry_id)),
            Button("↩️ Keep the current one", cb.SessionKeep()),
        ),
    )
    return Reply(text, buttons=buttons)


def paused_reply(state: SessionState) -> Reply:
    left = format_minutes(max(1, round(state.paused_remaining or 0)))
    index = state.showing
    where = f" of step {index + 1}" if index is not None else ""
    buttons = (
        (
            Button("▶️ Resume", cb.SessionControl("resume", state.id, index or 0)),
            Button("⏹ Stop", cb.SessionControl("stop", state.id, index or 0)),
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
        f"⏹ Stopped after {state.steps_done} of {plural(state.total, 'step')} "
        f"({format_minutes(state.seconds_done)} of {format_minutes(state.length_seconds)}). "
        "Let them rest a moment, wrapped in a towel. /session to start again.",
        notify=False,
    )


def streak_days(days: set[date], today: date) -> int:
    """Consecutive days with a session, ending today (or yesterday, if none yet today)."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def history_reply(items: list[HistoryItem], *, today: date) -> Reply:
    """Recent sessions, total minutes and the streak of days (UTC days)."""
    if not items:
        return Reply("No sessions yet. /session starts your first one 🧘")
    total = sum(item.seconds_done for item in items)
    days = {datetime.fromtimestamp(item.ended_at, UTC).date() for item in items}
    streak = streak_days(days, today)
    lines = [
        "📒 <b>Your sessions</b>",
        f"{plural(len(items), 'session')}, "
        f"{round(total / 60)} min in all · 🔥 {streak}-day streak",
        "",
    ]
    for item in items[:HISTORY_LIMIT]:
        when = datetime.fromtimestamp(item.ended_at, UTC).strftime("%d %b")
        stars = f" · {'⭐' * item.rating}" if item.rating else ""
        how = (
            "complete"
            if item.status == "done"
            else f"stopped at {item.steps_done}/{item.total_steps}"
        )
        lines.append(
            f"• {when}: {html_text(item.title)}, "
            f"{format_minutes(item.seconds_done)} ({how}){stars}"
        )
    return Reply("\n".join(lines))
