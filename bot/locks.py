"""One asyncio lock per chat, created on first use and dropped when nobody holds or waits.

Used twice with separate instances: the update processor keeps each chat's updates in
arrival order, and the session service holds a chat's lock while a session is read, sent
for and written back. asyncio has no keyed lock and no kept library offers one small
enough to be worth a dependency, hence these few lines.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class ChatLocks:
    """``async with locks.hold(chat_id):`` runs one holder per chat at a time, in order."""

    def __init__(self) -> None:
        # chat id -> (its lock, how many holders are waiting or running)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(chat_id, (asyncio.Lock(), 0))
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat_id]
            if users == 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)
