"""What the stand-in records of the bot's traffic: requests, messages, uploads, chat actions.

Tests read these records (``standin.sent``, ``standin.requests``...) to see what the bot did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from standin.faults import Fault
from standin.protocol import EDIT_METHODS, JSONDict


@dataclass(frozen=True)
class Upload:
    """A file uploaded in a multipart request."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class RecordedMessage:
    """One message the bot sent or edited (recorded when the request arrived)."""

    seq: int
    token: str
    method: str
    chat_id: int | str
    message_id: int | None
    text: str | None  # the text/caption parameter as sent (markup not parsed)
    parse_mode: str | None
    reply_markup: Any  # the decoded reply_markup parameter, None if absent
    disable_notification: bool
    wall_time: float  # time.time() at arrival
    mono_time: float  # time.monotonic() at arrival
    message: JSONDict | None  # the Message object returned to the bot (None: inline message)
    params: JSONDict

    @property
    def is_edit(self) -> bool:
        return self.method in EDIT_METHODS

    @property
    def plain_text(self) -> str | None:
        """The text after entity parsing (what a user reads)."""
        if self.message is None:
            return None
        value = self.message.get("text", self.message.get("caption"))
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class RequestRecord:
    """One Bot API request the server answered."""

    seq: int
    token: str
    method: str  # canonical name when known, else as requested
    params: JSONDict
    status: int
    description: str | None
    result: Any
    wall_time: float  # time.time() at arrival
    mono_time: float  # time.monotonic() at arrival
    duration: float
    fault: Fault | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(frozen=True)
class ChatActionRecord:
    seq: int
    token: str
    chat_id: int | str
    action: str
    wall_time: float
    mono_time: float
