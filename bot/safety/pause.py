"""A warning sign mentioned during a guided session pauses it before anything else happens."""

from __future__ import annotations

from bot.ask.service import Asker
from bot.messaging import Reply
from bot.sessions.service import SessionService

PAUSED = "⏸ I've paused the session so you can read this first."


class SafetyPause:
    """Checks a message sent while a session may be running; pauses it on a warning sign."""

    def __init__(self, asker: Asker, sessions: SessionService) -> None:
        self._asker = asker
        self._sessions = sessions

    async def check(self, chat_id: int, text: str) -> tuple[Reply, ...]:
        """The replies to send when ``text`` names a warning sign during a running session
        (the safety answer first, then the paused session's controls); () otherwise, and the
        message goes on to the other features as usual."""
        if not self._asker.detector.detect(text):
            return ()  # the common case costs no database read
        state = await self._sessions.open_session(chat_id)
        if state is None or state.status != "running":
            return ()  # a paused or not yet started session: the ask feature answers
        outcome = await self._sessions.control(chat_id, "pause")
        answer = self._asker.ask(text, intents=False)
        paused = outcome.reply if outcome is not None and outcome.reply is not None else None
        controls = (Reply(f"{PAUSED} {paused.text}", buttons=paused.buttons),) if paused else ()
        return (*answer.replies[:1], *controls)  # the card; no other answer mid-session
