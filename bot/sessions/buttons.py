"""The ``ses:`` button data of guided sessions: built and parsed here only."""

from __future__ import annotations

from dataclasses import dataclass

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
