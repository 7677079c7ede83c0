"""What the Ask feature says: fixed texts, pointers to other features, choice buttons."""

from __future__ import annotations

import html
import re

from bot import callbacks as cb
from bot.catalog import browse
from bot.catalog.entries import Catalog
from bot.intents import ControlSession, Request, SessionRequest
from bot.messaging import Button, Reply

EMPTY = (
    "Send me your question in words, for example <i>how do I ease shoulder tension</i> "
    "or <i>what oil should I use</i>."
)
UNKNOWN = (
    "🤔 I don't know that one. I can help with giving a back massage: strokes, pressure, "
    "oils, getting ready and safety. Browse everything with /techniques, or try one of these:"
)
FOREIGN = (
    "🌍 Sorry, I only understand English for now. Browse everything with /techniques, "
    "or try one of these:"
)
CHOOSE = "🤔 Did you mean one of these?"
WARNING = (
    "🛟 <b>First, please read this.</b> What you describe can be a sign that a doctor "
    "should look at it before anyone massages the back."
)
SESSIONS_POINTER = "▶️ Guided sessions are started with /session."
REMINDERS_POINTER = "⏰ Daily reminders are set up with /remind."
NO_SESSION = "There is no guided session running. Start one with /session."


def request_kind(request: Request) -> str:
    """The feature a request belongs to, as ``python -m bot ask --json`` names it."""
    if isinstance(request, ControlSession):
        return "control"
    return "session" if isinstance(request, SessionRequest) else "reminder"


def pointer(request: Request) -> str:
    """Where a request is answered, when it reached the questions feature instead."""
    kind = request_kind(request)
    if kind == "control":
        return NO_SESSION
    return SESSIONS_POINTER if kind == "session" else REMINDERS_POINTER


# Only at this level may the answer itself follow the safety card (e.g. "skip that patch").
CAUTION = "caution"
AFTER_CHECK = "Once that is checked and they are fine to massage, this is what you asked about:"
# The line above the safety card, by how urgent the most urgent sign found is.
WARNINGS = {
    "emergency": "🚨 <b>First, please read this.</b> What you describe can need help now, "
    "not a massage.",
    "urgent": WARNING,
    "doctor": "🛟 <b>First, please read this.</b> With what you describe, check before you "
    "massage.",
    "caution": "🛟 <b>First, please read this</b> before you start.",
}
_TAG = re.compile(r"<[^>]+>")


def entry_buttons(text: str, catalog: Catalog, entry_ids: list[str]) -> Reply:
    """``text`` with one button per entry that opens its card."""
    rows = tuple(
        (Button(browse.button_label(catalog.entries[i].title), cb.OpenEntry(i)),)
        for i in entry_ids
        if i in catalog
    )
    return Reply(text, buttons=rows)


def plain_text(reply: Reply) -> str:
    """A reply as plain text for the terminal: tags dropped, buttons listed."""
    text = html.unescape(_TAG.sub("", reply.text))
    labels = [button.text for row in reply.buttons for button in row]
    return text + ("\n" + "\n".join(f"  [{label}]" for label in labels) if labels else "")
