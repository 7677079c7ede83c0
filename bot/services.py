"""The services a running bot is made of, created once and shared by every handler."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.admin import BroadcastService
from bot.ask import Asker, build_asker
from bot.config import Settings
from bot.content import Catalog
from bot.flood import FloodGuard
from bot.messaging import Sender
from bot.pictures.service import PictureService
from bot.privacy import PrivacyService
from bot.reminder_service import ReminderService, load_lines
from bot.reminders import ZoneIndex
from bot.scheduler import DueScheduler
from bot.search import build_searcher
from bot.session_service import SessionService
from bot.storage import Storage


@dataclass
class Services:
    """Everything handlers reach through ``context.services``."""

    settings: Settings
    catalog: Catalog
    storage: Storage
    reminders: ReminderService
    scheduler: DueScheduler = field(default_factory=DueScheduler)
    flood: FloodGuard = field(default_factory=FloodGuard)
    # The question index is built once, here, at start-up; never per question.
    asker: Asker = field(init=False)
    sessions: SessionService = field(init=False)
    broadcasts: BroadcastService = field(init=False)
    privacy: PrivacyService = field(init=False)
    pictures: PictureService = field(init=False)

    def __post_init__(self) -> None:
        self.asker = build_asker(self.catalog, build_searcher(self.catalog))
        self.sessions = SessionService(self.storage, self.catalog, self.settings, self.scheduler)
        self.scheduler.add(self.sessions)
        self.reminders.on_change = lambda: self.scheduler.wake(self.reminders.name)
        self.scheduler.add(self.reminders)
        self.broadcasts = BroadcastService(self.storage)
        self.broadcasts.on_change = lambda: self.scheduler.wake(self.broadcasts.name)
        self.scheduler.add(self.broadcasts)
        self.privacy = PrivacyService(self.storage)
        # After /forget every timetable looks again: the chat's due rows are gone.
        self.privacy.on_forget = lambda chat_id: self.scheduler.wake()
        # Rendered on first use and kept as <hash>.png beside the database.
        self.pictures = PictureService(
            self.catalog,
            self.storage,
            cache=self.settings.database_path.parent / "pictures",
            enabled=self.settings.pictures,
        )

    @classmethod
    def create(cls, settings: Settings, catalog: Catalog) -> Services:
        storage = Storage(settings.database_path)
        return cls(
            settings=settings,
            catalog=catalog,
            storage=storage,
            reminders=ReminderService(storage, load_lines(known_ids=catalog.entries), ZoneIndex()),
            flood=FloodGuard(limit=settings.flood_limit),
        )

    def use_sender(self, sender: Sender) -> None:
        """How timed messages go out (the wiring passes the Telegram implementation)."""
        # Every timed send passes the /forget guard: work that read its rows before a chat
        # was forgotten sends that chat nothing afterwards.
        self.privacy.guard.inner = sender
        self.sessions.sender = self.privacy.guard
        self.reminders.sender = self.privacy.guard
        self.broadcasts.sender = self.privacy.guard

    async def start(self) -> None:
        """Open the database and start the timetable (called from ``post_init``)."""
        await self.storage.open()
        await self.sessions.recover()
        await self.scheduler.start()

    async def quiesce(self) -> None:
        """Stop timed work and wait for sends in flight (``post_stop``: the bot still works)."""
        await self.scheduler.stop()
        await self.sessions.drain()
        await self.pictures.drain()

    async def stop(self) -> None:
        """Stop timed work first, then close the database (called from ``post_shutdown``)."""
        await self.quiesce()
        await self.storage.close()
