"""/remind, /reminders, /timezone, their buttons and the plain-words reminder intents."""

from __future__ import annotations

import time
from datetime import datetime

from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot.messaging import Button, Reply
from bot.reminder_service import Added, NeedZone, Reminder, ReminderService, ZoneSet
from bot.reminders import (
    ACCEPTED,
    COMMON_ZONES,
    MAX_REMINDERS,
    WEEKDAYS,
    WEEKENDS,
    ZONE_HELP,
    Intent,
    ReminderError,
    Schedule,
    ZoneError,
    delete_data,
    local_clock,
    menu_data,
    new_data,
    off_data,
    parse_intent,
    parse_press,
    parse_schedule,
    zone_data,
    zone_for,
)
from bot.text import html_text
from handlers.context import BotContext
from handlers.fallback import stale_button
from handlers.render import answer, markup

GONE = "This reminder no longer exists."
QUICK_CHOICES = (
    ("🌙 Every evening at 21:00", Schedule(21, 0)),
    ("☀️ Weekdays at 7:30", Schedule(7, 30, WEEKDAYS)),
    ("🛋 Weekends at 10:00", Schedule(10, 0, WEEKENDS)),
)


# -- replies (pure) ---------------------------------------------------------------------------


def _next(reminder: Reminder) -> str:
    return datetime.fromtimestamp(reminder.next_fire_at, zone_for(reminder.zone)).strftime(
        "%a %H:%M"
    )


def zone_question(schedule: Schedule | None) -> Reply:
    """Ask for the chat's time zone, with buttons for common ones."""
    why = (
        f"so that {schedule.clock} means <i>your</i> {schedule.clock}"
        if schedule
        else "for your reminders"
    )
    buttons = tuple(
        tuple(Button(label, data=zone_data(zone)) for label, zone in COMMON_ZONES[i : i + 2])
        for i in range(0, len(COMMON_ZONES), 2)
    )
    return Reply(f"🌍 Which time zone are you in, {why}?\n{ZONE_HELP}", buttons=buttons)


def added_reply(outcome: Added | NeedZone) -> Reply:
    if isinstance(outcome, NeedZone):
        return zone_question(outcome.schedule)
    reminder = outcome.reminder
    lines = [
        f"✅ I'll remind you {reminder.schedule.describe()} ({html_text(reminder.zone)}).",
        f"Next one: {_next(reminder)}. /reminders lists them; /remind off stops them all.",
    ]
    if outcome.resumed:
        lines.append("Your paused reminders are back on, too.")
    return Reply("\n".join(lines))


def zone_set_reply(outcome: ZoneSet, now: float) -> Reply:
    lines = [
        f"🌍 Time zone set to {html_text(outcome.zone)} "
        f"(it's {local_clock(outcome.zone, now)} there now)."
    ]
    if outcome.created is not None:
        lines.append(added_reply(Added(outcome.created)).text)
    elif outcome.moved:
        lines.append(f"Your {outcome.moved} reminder(s) now follow this zone.")
    return Reply("\n".join(lines))


def list_reply(reminders: list[Reminder], zone: str | None, now: float) -> Reply:
    """Every reminder of the chat, with a delete button each."""
    add = (Button("➕ Add a reminder", data=menu_data()),)
    if not reminders:
        return Reply(f"You have no reminders. {ACCEPTED}", buttons=(add,))
    where = f" ({html_text(zone)}, now {local_clock(zone, now)})" if zone else ""
    lines = [f"⏰ <b>Your reminders</b>{where}"]
    for number, reminder in enumerate(reminders, start=1):
        state = "paused: I couldn't reach you" if reminder.paused else f"next {_next(reminder)}"
        lines.append(f"{number}. {reminder.schedule.describe()} — {state}")
    rows = [
        (Button(f"🗑 Delete {n}. {r.schedule.describe()}", data=delete_data(r.id)),)
        for n, r in enumerate(reminders, start=1)
    ]
    rows.append((Button("🔕 Delete all", data=off_data()),))
    if len(reminders) < MAX_REMINDERS:
        rows.append(add)
    return Reply("\n".join(lines), buttons=tuple(rows))


def menu_reply() -> Reply:
    buttons = tuple((Button(label, data=new_data(s)),) for label, s in QUICK_CHOICES)
    return Reply(
        f"⏰ <b>Daily reminder</b>\nWhen would you like a nudge to relax? Pick one, or {ACCEPTED}",
        buttons=buttons,
    )


# -- commands ---------------------------------------------------------------------------------


async def _add(update: Update, service: ReminderService, text: str | Schedule) -> None:
    """Parse a schedule and save it, answering with what was understood or why not."""
    chat = update.effective_chat
    if chat is None:
        return
    try:
        schedule = text if isinstance(text, Schedule) else parse_schedule(text)
        outcome = await service.add(chat.id, schedule)
    except ReminderError as error:
        await answer(update, Reply(f"⚠️ {error}"))
        return
    await answer(update, added_reply(outcome))


async def _off(update: Update, service: ReminderService) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    count = await service.delete_all(chat.id)
    text = f"🔕 Deleted your {count} reminder(s)." if count else "You had no reminders."
    await answer(update, Reply(f"{text} /remind sets a new one."))


async def remind(update: Update, context: BotContext) -> None:
    """Set a reminder from '/remind 21:30 weekdays'; '/remind off' deletes them all."""
    text = " ".join(context.args or [])
    service = context.services.reminders
    if not text:
        await answer(update, menu_reply())
    elif text.lower() in ("off", "stop", "none", "cancel"):
        await _off(update, service)
    else:
        await _add(update, service, text)


async def list_reminders(update: Update, context: BotContext) -> None:
    """List the chat's reminders with a delete button each."""
    chat = update.effective_chat
    if chat is None:
        return
    service = context.services.reminders
    await service.resume(chat.id)  # they are talking to us, so they can be reached again
    reply = list_reply(await service.reminders(chat.id), await service.chat_zone(chat.id), _now())
    await answer(update, reply)


async def timezone(update: Update, context: BotContext) -> None:
    """Show the chat's zone and ask for a new one; '/timezone Berlin' sets it at once."""
    chat = update.effective_chat
    if chat is None:
        return
    service = context.services.reminders
    if context.args:
        await _set_zone_from_text(update, service, " ".join(context.args))
        return
    zone = await service.chat_zone(chat.id)
    await service.ask_zone(chat.id)
    current = (
        f"Your time zone is {html_text(zone)} (it's {local_clock(zone, _now())} there now). "
        if zone
        else "You haven't told me your time zone yet. "
    )
    question = zone_question(None)
    await answer(update, Reply(current + question.text, buttons=question.buttons))


async def _set_zone_from_text(update: Update, service: ReminderService, text: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    try:
        zone = service.zones.resolve(text)
        outcome = await service.set_zone(chat.id, zone)
    except (ZoneError, ReminderError) as error:
        await answer(update, Reply(f"⚠️ {error}"))
        return
    await answer(update, zone_set_reply(outcome, _now()))


def _now() -> float:
    return time.time()


# -- plain words ------------------------------------------------------------------------------


async def text_intent(update: Update, context: BotContext) -> None:
    """Take 'remind me weekdays at 7:30', 'stop reminding me' or a time zone we asked for."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not message.text:
        return
    service = context.services.reminders
    intent = parse_intent(message.text)
    if intent is not None:
        await _run_intent(update, context, intent)
        raise ApplicationHandlerStop
    pending = await service.pending(chat.id)
    if pending is None or _looks_like_a_question(message.text):
        return  # not ours: the ask feature answers it
    if message.text.strip().lower() in ("cancel", "stop", "never mind", "no"):
        await service.cancel_pending(chat.id)
        await answer(update, Reply("OK, I won't set that reminder."))
    else:
        await _set_zone_from_text(update, service, message.text)
    raise ApplicationHandlerStop


def _looks_like_a_question(text: str) -> bool:
    return "?" in text or len(text.split()) > 4


async def _run_intent(update: Update, context: BotContext, intent: Intent) -> None:
    service = context.services.reminders
    if intent.action == "off":
        await _off(update, service)
    elif intent.action == "list":
        await list_reminders(update, context)
    else:
        await _add(update, service, intent.rest)


# -- buttons ----------------------------------------------------------------------------------


async def reminder_button(update: Update, context: BotContext) -> None:
    """Handle the rem: buttons: set-up menu, quick choices, snooze, stop, delete."""
    query, chat = update.callback_query, update.effective_chat
    press = parse_press(query.data or "") if query else None
    if query is None or chat is None or press is None:
        await stale_button(update, context)
        return
    service = context.services.reminders
    if press.action == "menu":
        await query.answer()
        await answer(update, menu_reply())
    elif press.action == "new" and press.schedule is not None:
        await query.answer()
        await _add(update, service, press.schedule)
    elif press.action == "snooze":
        at = await service.snooze(chat.id, press.reminder_id)
        await query.answer("😴 OK, I'll nudge you again in 15 minutes." if at else GONE)
    elif press.action == "stop":
        gone = await service.delete(chat.id, press.reminder_id)
        await query.answer()
        text = f"🔕 Stopped your reminder {gone.schedule.describe()}." if gone else GONE
        await answer(update, Reply(f"{text} /reminders shows any others."))
    else:
        await _edit_list(query, service, chat.id, press.action, press.reminder_id)


async def _edit_list(
    query: CallbackQuery, service: ReminderService, chat_id: int, action: str, reminder_id: int
) -> None:
    """Delete one (or all) from the /reminders list and show the list as it is now."""
    if action == "off":
        await service.delete_all(chat_id)
        await query.answer("🔕 All reminders deleted.")
    else:
        gone = await service.delete(chat_id, reminder_id)
        await query.answer("🗑 Deleted." if gone else GONE)
    reply = list_reply(await service.reminders(chat_id), await service.chat_zone(chat_id), _now())
    try:
        await query.edit_message_text(reply.text, reply_markup=markup(reply))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def zone_button(update: Update, context: BotContext) -> None:
    """Save the zone pressed in the 'which time zone?' question."""
    query, chat = update.callback_query, update.effective_chat
    press = parse_press(query.data or "") if query else None
    service = context.services.reminders
    if query is None or chat is None or press is None or press.zone not in service.zones:
        await stale_button(update, context)
        return
    await query.answer()
    try:
        outcome = await service.set_zone(chat.id, press.zone)
    except ReminderError as error:
        await answer(update, Reply(f"⚠️ {error}"))
        return
    await answer(update, zone_set_reply(outcome, _now()))
