"""Plain-words reminder requests: 'remind me every day at 9pm', 'stop reminding me'."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Intent:
    """What a plain-words message asks of the reminder feature."""

    action: str  # "set", "off" or "list"
    rest: str = ""


_OFF = re.compile(
    r"^(?:please\s+)?(?:stop|cancel|turn\s+off|switch\s+off|disable|delete|remove|no\s+more)\s+"
    r"(?:reminding\s+me|(?:my\s+|the\s+|all\s+|these\s+|daily\s+)*reminders?)\b[\s.!]*$"
)
_LIST = re.compile(r"^(?:show|list|see)?\s*(?:me\s+)?(?:my|all)\s+reminders\??$")
_SET = re.compile(
    r"^(?:please\s+|can\s+you\s+|could\s+you\s+)?"
    r"(?:remind\s+me|set\s+(?:a\s+|an\s+|my\s+)?(?:daily\s+)?reminder)\b(?P<rest>.*)$"
)
_TIME_HINT = re.compile(
    r"\d|\b(?:noon|midnight|mornings?|evenings?|nights?|tonight|afternoons?|nightly)\b"
    r"|\b(?:at|for)\s+(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|half|quarter)\b"
)


def parse_intent(text: str) -> Intent | None:
    """Recognise 'remind me every day at 9pm', 'stop reminding me'; None when not ours."""
    cleaned = " ".join(text.lower().split())
    if len(cleaned) > 200:
        return None
    if _OFF.match(cleaned):
        return Intent("off")
    if _LIST.match(cleaned):
        return Intent("list")
    match = _SET.match(cleaned)
    # "remind me how to knead" is a question, not a reminder: it must mention a time.
    if match and _TIME_HINT.search(match["rest"]):
        return Intent("set", match["rest"].strip(" ,.!"))
    return None
