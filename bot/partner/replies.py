"""Every text of partner mode: invite, joining, check-in, remote, relay lines and ratings.

Names come from the update that carries a press (Telegram's first name) and are never
stored; every dynamic string is escaped here.
"""

from __future__ import annotations

from bot import callbacks as cb
from bot.catalog.cards import render_entry_card
from bot.catalog.entries import Catalog
from bot.messaging import Button, Reply
from bot.partner.prefs import AREA_NAMES, AREAS, AVOIDABLE, PRESSURES, Preferences, summary
from bot.sessions.replies import progress_bar
from bot.sessions.state import SessionState
from bot.text import html_text

# Safety entries the health question and an "ouch" draw on, in this order; ids missing from
# the catalog are left out (the safety content is edited separately).
HEALTH_ENTRIES = ("safety.medical-conditions", "safety.red-flags", "safety.skin-contraindications")
WARNING_ENTRY = "safety.red-flags"
FALLBACK_CONDITIONS = (
    "a recent injury, fall or operation",
    "numbness, tingling or weakness in the legs",
    "fever or feeling unwell",
    "pregnancy",
    "a condition a doctor is treating",
)

PARTNER = "partner"


def who(name: str | None) -> str:
    return html_text(name) if name else "Your partner"


# -- invite and joining ----------------------------------------------------------------------


def invite_reply(link: str, during_session: bool) -> Reply:
    until = "until this session ends" if during_session else "for 24 hours"
    return Reply(
        "👥 <b>Invite your partner</b>\n"
        "Forward this link to the person you're massaging. When they open it, I'll ask them "
        "where it aches, what to avoid and how firm they like it, and their phone becomes a "
        "quiet remote (lighter, firmer, more of this, ouch).\n\n"
        f"{html_text(link)}\n\n"
        f"<i>The link works once, {until}.</i>"
    )


PRIVATE_ONLY = "Open the invite link in a private chat with me, not in a group."
NO_USERNAME = "I can't make an invite link right now (I don't know my own username yet)."
ALREADY_LINKED = (
    "You're already linked with your partner. /partner shows the link; "
    "<code>/partner off</code> ends it."
)
FORGED = (
    "🤔 That invite link doesn't work: part of it may be missing. Ask your partner for a "
    "fresh one (they send /partner)."
)
EXPIRED = (
    "⌛ That invite has expired (links last 24 hours, or until the session ends). Ask your "
    "partner for a fresh one (they send /partner)."
)
USED = (
    "🔒 That invite link has already been used: each link works for one person, once. "
    "Ask your partner for a fresh one."
)
OWN = (
    "🙂 That's your own invite link. Forward it to the person you're massaging: they open "
    "it in their own Telegram."
)
RECEIVER_BUSY = (
    "You're already linked with someone. Send <code>/partner off</code> first, then open "
    "the link again."
)
GIVER_BUSY = (
    "The person who sent this link is already linked with someone else, so I linked "
    "nothing. Ask them for a fresh link once they're free."
)


def linked_receiver_reply() -> Reply:
    return Reply(
        "👥 <b>You're linked.</b> The person who sent you the link leads the massage; you tell "
        "me what you like, and steer it from your phone while it runs.\n"
        "<code>/partner off</code> ends the link whenever you want."
    )


def linked_giver_reply(name: str | None, link_id: int, last: Preferences | None) -> Reply:
    lines = [
        f"👥 <b>{who(name)} joined.</b> I'll show you their check-in here, and pass on what "
        "they press during the session."
    ]
    buttons: tuple[tuple[Button, ...], ...] = ()
    if last is not None and not last.empty:
        lines.append(f"Last time: {html_text(summary(last, ''))}.")
        buttons = ((Button("🔁 Same as last time", cb.PartnerSame(link_id)),),)
    return Reply("\n".join(lines), buttons=buttons)


def unlinked_reply(by_you: bool) -> Reply:
    if by_you:
        return Reply(
            "👋 The link is ended. Your partner can no longer steer your sessions (remembered "
            "preferences stay until the receiver deletes them; /forget deletes everything)."
        )
    return Reply("👋 Your partner ended the link. /partner to make a new one.", notify=False)


NOT_LINKED = "You're not linked with anyone. /partner makes an invite link."


# -- check-in ------------------------------------------------------------------------------


def _toggle_rows(
    link_id: int, step: cb.CheckinStep, areas: tuple[str, ...], chosen: tuple[str, ...]
) -> list[tuple[Button, ...]]:
    rows: list[tuple[Button, ...]] = []
    row: list[Button] = []
    for area in areas:
        mark = "✅ " if area in chosen else ""
        row.append(
            Button(mark + AREA_NAMES[area].capitalize(), cb.PartnerCheckin(link_id, step, area))
        )
        if len(row) == 2:
            rows.append(tuple(row))
            row = []
    if row:
        rows.append(tuple(row))
    return rows


def health_conditions(catalog: Catalog) -> list[str]:
    """The conditions the health question lists, read from the safety entries' bullets."""
    found: list[str] = []
    for entry_id in HEALTH_ENTRIES[:2]:
        entry = catalog.get(entry_id)
        if entry is None:
            continue
        for line in entry.body.splitlines():
            text = line.strip()
            if text.startswith(("- ", "• ")) and text[2:].strip() not in found:
                found.append(text[2:].strip())
    return found or list(FALLBACK_CONDITIONS)


def checkin_reply(link_id: int, step: str, prefs: Preferences, catalog: Catalog) -> Reply:
    """The check-in question for ``step``, with what is chosen so far ticked."""
    if step == "focus":
        rows = _toggle_rows(link_id, "focus", AREAS, prefs.focus)
        rows.append((Button("Next ➡️", cb.PartnerCheckin(link_id, "focus", "done")),))
        return Reply(
            "📝 <b>Check-in 1 of 4</b>: which areas need attention? Tap all that apply.",
            buttons=tuple(rows),
        )
    if step == "avoid":
        rows = _toggle_rows(link_id, "avoid", AVOIDABLE, prefs.avoid)
        label = "Next ➡️" if prefs.avoid else "Nothing to avoid ➡️"
        rows.append((Button(label, cb.PartnerCheckin(link_id, "avoid", "done")),))
        return Reply(
            "📝 <b>Check-in 2 of 4</b>: any areas to <b>avoid</b> today?", buttons=tuple(rows)
        )
    if step == "pressure":
        row = tuple(
            Button(
                ("✅ " if prefs.pressure == p else "") + p.capitalize(),
                cb.PartnerCheckin(link_id, "pressure", p),
            )
            for p in PRESSURES
        )
        return Reply("📝 <b>Check-in 3 of 4</b>: how firm do you like it?", buttons=(row,))
    conditions = "\n".join(f"• {html_text(c)}" for c in health_conditions(catalog))
    return Reply(
        f"📝 <b>Check-in 4 of 4</b>: do <b>any</b> of these apply to you right now?\n{conditions}",
        buttons=(
            (
                Button("Yes, one applies", cb.PartnerCheckin(link_id, "health", "yes")),
                Button("No, none", cb.PartnerCheckin(link_id, "health", "no")),
            ),
        ),
    )


def checkin_done_reply(prefs: Preferences, health: str) -> Reply:
    text = f"✅ <b>Thanks, checked in</b>: {html_text(summary(prefs, health))}."
    if health == "flagged":
        text += (
            "\nPlease read the card below; the session waits until your partner has read it too."
        )
    return Reply(text, buttons=((Button("✏️ Change my answers", cb.PartnerManage("change")),),))


def giver_summary_reply(name: str | None, prefs: Preferences, health: str, adapted: bool) -> Reply:
    text = f"📝 <b>{who(name)} checked in</b>: {html_text(summary(prefs, health))}."
    if adapted:
        text += "\nThe routine follows it: focus areas get more time, avoided ones are left out."
    return Reply(text)


def same_as_last_time_reply(prefs: Preferences) -> Reply:
    return Reply(
        f"🔁 Using last time's preferences: {html_text(summary(prefs, ''))}.", notify=False
    )


def safety_cards(catalog: Catalog, ids: tuple[str, ...]) -> list[str]:
    return [render_entry_card(entry, catalog) for i in ids if (entry := catalog.get(i))]


def health_flagged_giver(link_id: int, name: str | None) -> Reply:
    return Reply(
        f"⚠️ <b>{who(name)} said one of the listed health conditions applies.</b> Read the card "
        "above before you start; the session won't start until you confirm.",
        buttons=((Button("✅ I've read it", cb.PartnerSafetyRead(link_id)),),),
    )


def start_blocked_reply(link_id: int) -> Reply:
    return Reply(
        "⚠️ Not yet: your partner said a health condition applies. Read the safety card I sent, "
        "and if massage is still fine, press the button.",
        buttons=((Button("✅ I've read it", cb.PartnerSafetyRead(link_id)),),),
    )


SAFETY_READ = "✅ Thanks. You can start the session when you're both ready."
SAFETY_READ_RECEIVER = "✅ Your partner has read the safety card."

# -- remote --------------------------------------------------------------------------------

RELAY_LINES: dict[str, str] = {
    "lighter": "a bit lighter, please",
    "firmer": "a bit firmer, please",
    "slower": "slower, please",
    "more": "more of this, please (+30 s)",
    "next": "next, please",
    "ouch": "ouch, stop that!",
}


def remote_buttons(link_id: int) -> tuple[tuple[Button, ...], ...]:
    def press(label: str, action: cb.RemoteAction) -> Button:
        return Button(label, cb.PartnerRemote(link_id, action))

    return (
        (press("🪶 Lighter", "lighter"), press("💪 Firmer", "firmer")),
        (press("🐢 Slower", "slower"), press("➕ More of this", "more")),
        (press("⏭ Next", "next"), press("🛑 Ouch: stop that", "ouch")),
    )


def remote_reply(link_id: int, state: SessionState | None, names: dict[str, str]) -> Reply:
    """The receiver's remote: what is happening now, and the buttons."""
    if state is None:
        return Reply(
            "🎛 <b>Your remote</b>\nWaiting for the session to start. Your presses go to your "
            "partner's phone at once.",
            buttons=remote_buttons(link_id),
            notify=False,
        )
    index = state.showing
    if state.status in ("done", "stopped", "gone", "failed"):
        return Reply(f"🎛 <b>{html_text(state.title)}</b>\nThe session has ended.", notify=False)
    if index is None:
        where = "Getting ready…"
    else:
        technique = state.steps[index].technique
        name = names.get(technique, technique)
        where = (
            f"Step {index + 1} of {state.total} · {html_text(name)}\n"
            f"{progress_bar(index + 1, state.total)} {index + 1}/{state.total}"
        )
    paused = "\n⏸ Paused" if state.status == "paused" else ""
    return Reply(
        f"🎛 <b>{html_text(state.title)}</b>\n{where}{paused}",
        buttons=remote_buttons(link_id),
        notify=False,
    )


def relay_reply(name: str | None, actions: list[str], notes: list[str]) -> Reply:
    """Presses made within about a second, as one line for the giver (notes are markup)."""
    said = "; ".join(RELAY_LINES[a] for a in actions)
    lines = [f"🗣 <b>{who(name)}</b>: {html_text(said)}", *dict.fromkeys(notes)]
    return Reply("\n".join(lines))


OUCH_GIVER = "🛑 <b>Ease off now.</b> {change}"
OUCH_REPLACED = "Switching to a gentler stroke."
OUCH_SKIPPED = "Leaving that step out."
OUCH_PAUSED = (
    "⏸ <b>Two ouches: I paused the session.</b> Check in with your partner, and read the "
    "warning signs below before you go on."
)
NO_SESSION_RUNNING = "No session is running right now."
SENT = "Sent"
STALE = "This button is from an old link."


def rating_reply(link_id: int, state: SessionState) -> Reply:
    stars = tuple(Button(f"{n}⭐", cb.PartnerRate(link_id, state.id, n)) for n in range(1, 6))
    return Reply(
        f"🎉 <b>{html_text(state.title)}</b> is done. How was it for you?", buttons=(stars,)
    )


def rated_giver_reply(name: str | None, stars: int) -> Reply:
    return Reply(f"{who(name)} rated the session {'⭐' * stars}.", notify=False)


RATED = "Thanks! Your preferences are remembered for next time; /partner changes them."


# -- status --------------------------------------------------------------------------------


def status_reply(is_giver: bool, prefs: Preferences | None, has_saved: bool) -> Reply:
    if is_giver:
        text = "👥 You're linked with your partner."
        if prefs is not None and not prefs.empty:
            text += f"\nTheir check-in: {html_text(summary(prefs, ''))}."
        return Reply(text, buttons=((Button("End the link", cb.PartnerManage("off")),),))
    text = "👥 You're linked with the person giving the massage."
    if prefs is not None and not prefs.empty:
        text += f"\nYour check-in: {html_text(summary(prefs, ''))}."
    rows: list[tuple[Button, ...]] = [(Button("✏️ Change my answers", cb.PartnerManage("change")),)]
    if has_saved:
        rows.append((Button("🗑 Delete remembered preferences", cb.PartnerManage("delete")),))
    rows.append((Button("End the link", cb.PartnerManage("off")),))
    return Reply(text, buttons=tuple(rows))


def not_linked_reply() -> Reply:
    return Reply(
        "👥 <b>Partner mode</b>: the person you massage tells me where it aches, what to avoid "
        "and how firm, and steers the session from their own phone.",
        buttons=((Button("👥 Invite your partner", cb.PartnerInvite()),),),
    )


PREFERENCES_DELETED = "🗑 Deleted: I no longer remember your preferences."
NOTHING_SAVED = "I don't remember any preferences of yours."

RECEIVER_GONE = (
    "📵 I can't reach your partner's chat any more (they may have blocked me), so their "
    "remote is off. Your session goes on as usual."
)

OUCH_PAUSED_RECEIVER = "⏸ I paused the session after two ouches. Take a moment; are you OK?"
WARNING_FALLBACK = (
    "⚠️ <b>Warning signs to stop</b>: numbness, tingling or weakness in the legs, fever, "
    "pain after a fall, or pain that keeps getting worse need a doctor, not a massage."
)
