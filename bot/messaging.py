"""What the core sends, and the errors a send can end in (no telegram import here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.callbacks import Press


@dataclass(frozen=True)
class Button:
    """An inline button: a press (sent back as callback data of at most 64 bytes) or a URL."""

    text: str
    press: Press | None = None
    url: str = ""

    def __post_init__(self) -> None:
        if len(self.data.encode()) > 64:
            raise ValueError(f"callback data over 64 bytes: {self.data!r}")

    @property
    def data(self) -> str:
        """The callback data Telegram sends back when the button is pressed."""
        return self.press.data() if self.press is not None else ""


@dataclass(frozen=True)
class Reply:
    """An HTML message with optional rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default=())
    notify: bool = True
    # The entry whose picture goes with this message (bot/pictures), or "" for none.
    picture: str = ""


class ChatUnreachable(Exception):
    """The chat cannot receive messages any more (blocked the bot, deleted, kicked it)."""


class SendFailed(Exception):
    """A send failed for a passing reason; try again after ``retry_after`` seconds."""

    def __init__(self, reason: str, retry_after: float = 5.0) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Sender(Protocol):
    """Sends and edits messages on the core's behalf; implemented in the wiring."""

    async def send(self, chat_id: int, reply: Reply) -> int:
        """Send a message and return its message id."""

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        """Replace a sent message's text and buttons."""

    async def delete(self, chat_id: int, message_id: int) -> None:
        """Delete a sent message; a message already gone is not an error."""
