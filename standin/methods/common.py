"""Helpers the Bot API method families share: chat lookup, text formatting, flood control,
reply targets and storing/recording the bot's messages.
"""

from __future__ import annotations

import math
import time
from typing import Any

from standin.calls import RequestContext
from standin.core import StandInCore
from standin.formatting.text import format_text
from standin.params import INT_RE, Params
from standin.protocol import CAPTION_LIMIT, TEXT_LIMIT, ApiError, JSONDict, bad_request
from standin.records import RecordedMessage
from standin.state import BotState, Chat, StoredMessage, copy_json, strip_reply


class MethodHelpers(StandInCore):
    """Chat lookup, formatting, flood control and message storage for the method families."""

    def _lookup_chat(self, state: BotState, p: Params) -> Chat:
        raw = p.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        if isinstance(raw, str):
            text = raw.strip()
            if text.startswith("@"):
                wanted = text[1:].lower()
                for candidate in state.chats.values():
                    if str(candidate.data.get("username", "")).lower() == wanted:
                        return candidate
                raise bad_request("chat not found")
            if not INT_RE.match(text):
                raise bad_request("chat not found")
            raw = int(text)
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise bad_request("chat not found")
        chat = state.chats.get(raw)
        if chat is None:
            if self.check_chats:
                raise bad_request("chat not found")
            if raw > 0:
                data: JSONDict = {"id": raw, "type": "private", "first_name": "User"}
            else:
                kind = "supergroup" if str(raw).startswith("-100") else "group"
                data = {"id": raw, "type": kind, "title": "Chat"}
            chat = Chat(data)
            state.chats[raw] = chat
        return chat

    def _chat_for_send(self, state: BotState, p: Params) -> Chat:
        chat = self._lookup_chat(state, p)
        if chat.id in self._blocked:
            kind = chat.data.get("type")
            if kind == "private":
                description = "Forbidden: bot was blocked by the user"
            elif kind == "channel":
                description = "Forbidden: bot is not a member of the channel chat"
            else:
                description = f"Forbidden: bot was kicked from the {kind} chat"
            raise ApiError(403, description)
        return chat

    def _flood_check(self, state: BotState, chat_id: int) -> None:
        per_chat, overall = self._flood_per_chat, self._flood_overall
        if per_chat is None and overall is None:
            return
        now = time.monotonic()
        events = state.flood_events
        while events and events[0][0] <= now - 1.0:
            events.popleft()
        for scope in (None, chat_id):
            until = state.flood_blocked.get(scope)
            if until is not None:
                if until > now:
                    raise _flood_error(until - now)
                del state.flood_blocked[scope]
        in_chat = [t for t, c in events if c == chat_id]
        blocked_scope: int | None
        if overall is not None and len(events) >= overall:
            blocked_scope, oldest = None, events[0][0] if events else now - 1.0
        elif per_chat is not None and len(in_chat) >= per_chat:
            blocked_scope, oldest = chat_id, in_chat[0] if in_chat else now - 1.0
        else:
            events.append((now, chat_id))
            return
        if self._flood_retry_after is not None:
            wait = float(self._flood_retry_after)
        else:
            wait = float(max(1, math.ceil(oldest + 1.0 - now)))
        state.flood_blocked[blocked_scope] = now + wait
        raise _flood_error(wait)

    def _format(
        self,
        p: Params,
        *,
        text_key: str,
        entities_key: str,
        limit: int,
        empty_error: str | None,
        long_error: str,
    ) -> tuple[str, list[JSONDict]]:
        raw = p.text(text_key)
        if empty_error is not None and not raw.strip():
            raise bad_request(empty_error)
        explicit = p.json(entities_key)
        if explicit:
            if not isinstance(explicit, list) or not all(isinstance(e, dict) for e in explicit):
                raise bad_request(f"can't parse {entities_key} JSON object")
            plain, entities = raw.rstrip(), [dict(e) for e in explicit]
        else:
            plain, entities = format_text(
                raw, p.opt_str("parse_mode"), strict_html=self.strict_html_entities
            )
        if empty_error is not None and not plain:
            raise bad_request(empty_error)
        if len(plain) > limit:
            raise bad_request(long_error)
        return plain, entities

    def _format_text_param(self, p: Params) -> tuple[str, list[JSONDict]]:
        return self._format(
            p,
            text_key="text",
            entities_key="entities",
            limit=TEXT_LIMIT,
            empty_error="message text is empty",
            long_error="message is too long",
        )

    def _format_caption(self, p: Params) -> tuple[str, list[JSONDict]]:
        return self._format(
            p,
            text_key="caption",
            entities_key="caption_entities",
            limit=CAPTION_LIMIT,
            empty_error=None,
            long_error="message caption is too long",
        )

    def _reply_target(self, chat: Chat, p: Params) -> JSONDict | None:
        allow = p.boolean("allow_sending_without_reply")
        reply_parameters = p.json("reply_parameters")
        message_id: Any
        if isinstance(reply_parameters, dict):
            message_id = reply_parameters.get("message_id")
            allow = bool(reply_parameters.get("allow_sending_without_reply", allow))
        else:
            message_id = p.opt_int("reply_to_message_id")
        if message_id is None:
            return None
        if isinstance(message_id, bool) or not isinstance(message_id, int | str):
            raise bad_request("message to be replied not found")
        try:
            stored = chat.messages.get(int(message_id))
        except ValueError:
            raise bad_request("message to be replied not found") from None
        if stored is None or stored.deleted:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return strip_reply(stored.data)

    def _store_bot_message(
        self,
        state: BotState,
        chat: Chat,
        ctx: RequestContext,
        p: Params,
        *,
        method: str,
        content: JSONDict,
        inline: JSONDict | None,
        reply_to: JSONDict | None,
        text: str | None,
    ) -> JSONDict:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JSONDict = {
            "message_id": message_id,
            "from": self._bot_user(state),
            "chat": copy_json(chat.data),
            "date": int(time.time()),
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        if inline is not None:
            message["reply_markup"] = inline
        chat.messages[message_id] = StoredMessage(copy_json(message), from_bot=True)
        self._record_message(state, ctx, p, method, chat.id, message_id, text, message)
        return message

    def _record_message(
        self,
        state: BotState,
        ctx: RequestContext,
        p: Params,
        method: str,
        chat_id: int | str,
        message_id: int | None,
        text: str | None,
        message: JSONDict | None,
    ) -> None:
        self.sent.append(
            RecordedMessage(
                seq=next(self._seq),
                token=state.token,
                method=method,
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                parse_mode=p.opt_str("parse_mode"),
                reply_markup=p.json("reply_markup"),
                disable_notification=p.boolean("disable_notification"),
                wall_time=ctx.arrival_wall,
                mono_time=ctx.arrival_mono,
                message=copy_json(message) if message is not None else None,
                params=dict(p.data),
            )
        )
        self._notify()

    def _edit_target(
        self, state: BotState, p: Params, not_found: str
    ) -> tuple[Chat, StoredMessage] | None:
        if p.has("inline_message_id"):
            return None
        chat = self._lookup_chat(state, p)
        message_id = p.opt_int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise bad_request(not_found)
        return chat, stored


def _flood_error(seconds: float) -> ApiError:
    wait = max(1, math.ceil(seconds))
    return ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
