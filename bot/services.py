"""The services a running bot is made of, created once and shared by every handler."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Settings
from bot.content import Catalog
from bot.messaging import Sender
from bot.reminder_service import ReminderService, load_lines
from bot.reminders import ZoneIndex
from bot.scheduler import DueScheduler
from bot.storage import Storage


@dataclass
class Services:
    """Everything handlers reach through ``context.services``."""

    settings: Settings
    catalog: Catalog
    storage: Storage
    reminders: ReminderService
    scheduler: DueScheduler = field(default_factory=DueScheduler)
    # Set by the wiring before start(): timed work (reminders) sends through it.
    sender: Sender | None = None

    @classmethod
    def create(cls, settings: Settings, catalog: Catalog) -> Services:
        storage = Storage(settings.database_path)
        reminders = ReminderService(storage, load_lines(known_ids=catalog.entries), ZoneIndex())
        return cls(settings=settings, catalog=catalog, storage=storage, reminders=reminders)

    async def start(self) -> None:
        """Open the database and start the timetable (called from ``post_init``)."""
        await self.storage.open()
        self.reminders.sender = self.sender
        self.reminders.on_change = lambda: self.scheduler.wake(self.reminders.name)
        self.scheduler.add(self.reminders)
        await self.scheduler.start()

    async def stop(self) -> None:
        """Stop timed work first, then close the database (called from ``post_shutdown``)."""
        await self.scheduler.stop()
        await self.storage.close()
