"""The services a running bot is made of, created once and shared by every handler.

Each service gets what it needs in its constructor; ``create`` builds them in dependency
order, so nothing is patched in afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.admin import BroadcastService
from bot.ask.service import Asker, build_asker
from bot.catalog.entries import Catalog
from bot.config import Settings
from bot.flood import FloodGuard
from bot.membership import MembershipService
from bot.messaging import Sender
from bot.partner.follow import PartnerHooks
from bot.partner.service import PartnerService
from bot.partner.store import PartnerStore
from bot.pictures.service import PictureService
from bot.privacy import ForgetGuard, PrivacyService
from bot.reminders.lines import load_lines
from bot.reminders.service import ReminderService
from bot.reminders.timetable import ReminderTimetable
from bot.reminders.zones import ZoneIndex
from bot.safety.pause import SafetyPause
from bot.scheduler import DueScheduler
from bot.search.hybrid import build_searcher
from bot.sessions.service import SessionService
from bot.sessions.timetable import SendObserver
from bot.storage import Storage


@dataclass(frozen=True)
class Services:
    """Everything handlers reach through ``context.services``."""

    settings: Settings
    catalog: Catalog
    storage: Storage
    scheduler: DueScheduler
    flood: FloodGuard
    # The question index is built once, here, at start-up; never per question.
    asker: Asker
    sessions: SessionService
    safety_pause: SafetyPause
    reminders: ReminderService
    broadcasts: BroadcastService
    privacy: PrivacyService
    membership: MembershipService
    partner: PartnerService
    pictures: PictureService

    @classmethod
    def create(
        cls,
        settings: Settings,
        catalog: Catalog,
        sender: Sender,
        *,
        on_session_sent: SendObserver | None = None,
        storage: Storage | None = None,
        pictures: PictureService | None = None,
    ) -> Services:
        """Build every service; timed messages go out through ``sender`` (the wiring passes
        the Telegram implementation; ``on_session_sent`` lets the benchmark time steps).

        The wiring passes ``storage`` and ``pictures`` when its sender needs the pictures
        too (it sends them); otherwise they are made here."""
        storage = storage or Storage(settings.database_path)
        pictures = pictures or picture_service(settings, catalog, storage)
        scheduler = DueScheduler()
        # Every timed send passes the /forget guard: work that read its rows before a chat
        # was forgotten sends that chat nothing afterwards.
        guard = ForgetGuard(sender)
        partner_store = PartnerStore(storage)
        # Partner mode adapts sessions and follows them: built first, handed to both.
        partner_hooks = PartnerHooks(partner_store, catalog, guard)
        sessions = SessionService(
            storage,
            catalog,
            scheduler,
            guard,
            scale=settings.time_scale,
            on_sent=on_session_sent,
            hooks=partner_hooks,
        )
        reminders = ReminderService(
            storage,
            load_lines(known_ids=catalog.entries),
            ZoneIndex(),
            sender=guard,
            wake=lambda: scheduler.wake(ReminderTimetable.name),
        )
        broadcasts = BroadcastService(
            storage, guard, on_change=lambda: scheduler.wake(BroadcastService.name)
        )
        for source in (sessions.timetable, reminders.timetable, broadcasts):
            scheduler.add(source)
        asker = build_asker(catalog, build_searcher(catalog, semantic=settings.semantic_search))
        return cls(
            settings=settings,
            catalog=catalog,
            storage=storage,
            scheduler=scheduler,
            flood=FloodGuard(limit=settings.flood_limit),
            asker=asker,
            sessions=sessions,
            safety_pause=SafetyPause(asker, sessions),
            reminders=reminders,
            broadcasts=broadcasts,
            # After /forget every timetable looks again: the chat's due rows are gone.
            privacy=PrivacyService(storage, guard, on_forget=lambda chat_id: scheduler.wake()),
            membership=MembershipService(storage, scheduler),
            partner=PartnerService(partner_store, partner_hooks, sessions, catalog, guard),
            pictures=pictures,
        )

    async def start(self) -> None:
        """Open the database and start the timetable (called from ``post_init``)."""
        await self.storage.open()
        await self.sessions.timetable.recover()
        await self.partner.start()
        await self.scheduler.start()

    async def quiesce(self) -> None:
        """Stop timed work and wait for sends in flight (``post_stop``: the bot still works)."""
        await self.scheduler.stop()
        await self.sessions.timetable.drain()
        await self.partner.drain()
        await self.pictures.drain()

    async def stop(self) -> None:
        """Stop timed work first, then close the database (called from ``post_shutdown``)."""
        await self.quiesce()
        await self.storage.close()


def picture_service(settings: Settings, catalog: Catalog, storage: Storage) -> PictureService:
    """Technique pictures, drawn on first use and kept as <hash>.png beside the database."""
    return PictureService(
        catalog,
        storage,
        cache=settings.database_path.parent / "pictures",
        enabled=settings.pictures,
    )
