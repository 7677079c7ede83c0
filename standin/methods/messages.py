"""Bot API methods on messages: send, edit, delete, and the chat action."""

from __future__ import annotations

import copy
import time
from typing import Any

from standin.calls import RequestContext
from standin.markup import parse_reply_markup
from standin.methods.common import MethodHelpers
from standin.params import Params
from standin.protocol import CHAT_ACTIONS, NOT_MODIFIED, JSONDict, bad_request
from standin.records import ChatActionRecord, Upload
from standin.state import BotState, Chat, StoredMessage


class MessageMethods(MethodHelpers):
    """sendMessage, sendPhoto, sendDocument, the edits, the deletes and sendChatAction."""

    async def _m_send_message(self, state: BotState, p: Params, ctx: RequestContext) -> JSONDict:
        chat = self._chat_for_send(state, p)
        plain, entities = self._format_text_param(p)
        _, inline = parse_reply_markup(p.get("reply_markup"), inline_only=False)
        reply_to = self._reply_target(chat, p)
        self._flood_check(state, chat.id)
        content: JSONDict = {"text": plain}
        if entities:
            content["entities"] = entities
        preview = p.json("link_preview_options")
        if isinstance(preview, dict):
            content["link_preview_options"] = preview
        return self._store_bot_message(
            state,
            chat,
            ctx,
            p,
            method="sendMessage",
            content=content,
            inline=inline,
            reply_to=reply_to,
            text=p.text("text"),
        )

    async def _send_media(
        self, state: BotState, p: Params, ctx: RequestContext, method: str, kind: str
    ) -> JSONDict:
        chat = self._chat_for_send(state, p)
        media = p.get(kind)
        if media is None or media == "":
            raise bad_request(f"there is no {kind} in the request")
        caption, entities = self._format_caption(p)
        _, inline = parse_reply_markup(p.get("reply_markup"), inline_only=False)
        reply_to = self._reply_target(chat, p)
        self._flood_check(state, chat.id)
        seq = next(self._seq)
        unique = f"AQAD{seq:06d}"
        obj: Any
        if kind == "photo":
            obj = [
                {
                    "file_id": f"AgACAgIAAxkBAAI{seq:08d}s",
                    "file_unique_id": unique,
                    "width": 90,
                    "height": 90,
                    "file_size": 1_500,
                },
                {
                    "file_id": f"AgACAgIAAxkBAAI{seq:08d}m",
                    "file_unique_id": unique + "m",
                    "width": 800,
                    "height": 800,
                    "file_size": media.size if isinstance(media, Upload) else 64_000,
                },
            ]
        else:
            obj = {
                "file_id": f"BQACAgIAAxkBAAI{seq:08d}",
                "file_unique_id": unique,
                "file_name": media.filename if isinstance(media, Upload) else "document",
                "mime_type": (
                    media.content_type if isinstance(media, Upload) else "application/octet-stream"
                ),
                "file_size": media.size if isinstance(media, Upload) else 1_024,
            }
        content: JSONDict = {kind: obj}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return self._store_bot_message(
            state,
            chat,
            ctx,
            p,
            method=method,
            content=content,
            inline=inline,
            reply_to=reply_to,
            text=p.opt_str("caption"),
        )

    async def _m_send_photo(self, state: BotState, p: Params, ctx: RequestContext) -> JSONDict:
        return await self._send_media(state, p, ctx, "sendPhoto", "photo")

    async def _m_send_document(self, state: BotState, p: Params, ctx: RequestContext) -> JSONDict:
        return await self._send_media(state, p, ctx, "sendDocument", "document")

    def _finish_edit(
        self,
        state: BotState,
        ctx: RequestContext,
        p: Params,
        method: str,
        chat: Chat,
        stored: StoredMessage,
        changes: JSONDict,
        text: str | None,
    ) -> JSONDict:
        data = stored.data
        for key, value in changes.items():
            if value is None or value == []:
                data.pop(key, None)
            else:
                data[key] = value
        data["edit_date"] = int(time.time())
        self._record_message(state, ctx, p, method, chat.id, int(data["message_id"]), text, data)
        return copy.deepcopy(data)

    def _inline_edit(self, state: BotState, ctx: RequestContext, p: Params, method: str) -> bool:
        self._record_message(
            state, ctx, p, method, p.text("inline_message_id"), None, p.opt_str("text"), None
        )
        return True

    async def _m_edit_message_text(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> JSONDict | bool:
        target = self._edit_target(state, p, "message to edit not found")
        plain, entities = self._format_text_param(p)
        _, inline = parse_reply_markup(p.get("reply_markup"), inline_only=True)
        if target is None:
            return self._inline_edit(state, ctx, p, "editMessageText")
        chat, stored = target
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        if (
            stored.data["text"] == plain
            and stored.data.get("entities", []) == entities
            and stored.data.get("reply_markup") == inline
        ):
            raise bad_request(NOT_MODIFIED)
        self._flood_check(state, chat.id)
        changes = {"text": plain, "entities": entities, "reply_markup": inline}
        return self._finish_edit(
            state, ctx, p, "editMessageText", chat, stored, changes, p.text("text")
        )

    async def _m_edit_message_caption(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> JSONDict | bool:
        target = self._edit_target(state, p, "message to edit not found")
        caption, entities = self._format_caption(p)
        _, inline = parse_reply_markup(p.get("reply_markup"), inline_only=True)
        if target is None:
            return self._inline_edit(state, ctx, p, "editMessageCaption")
        chat, stored = target
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        if "text" in stored.data:
            raise bad_request("there is no caption in the message to edit")
        if (
            stored.data.get("caption", "") == caption
            and stored.data.get("caption_entities", []) == entities
            and stored.data.get("reply_markup") == inline
        ):
            raise bad_request(NOT_MODIFIED)
        self._flood_check(state, chat.id)
        changes = {
            "caption": caption or None,
            "caption_entities": entities,
            "reply_markup": inline,
        }
        return self._finish_edit(
            state, ctx, p, "editMessageCaption", chat, stored, changes, p.opt_str("caption")
        )

    async def _m_edit_message_reply_markup(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> JSONDict | bool:
        target = self._edit_target(state, p, "message to edit not found")
        _, inline = parse_reply_markup(p.get("reply_markup"), inline_only=True)
        if target is None:
            return self._inline_edit(state, ctx, p, "editMessageReplyMarkup")
        chat, stored = target
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        if stored.data.get("reply_markup") == inline:
            raise bad_request(NOT_MODIFIED)
        self._flood_check(state, chat.id)
        return self._finish_edit(
            state, ctx, p, "editMessageReplyMarkup", chat, stored, {"reply_markup": inline}, None
        )

    async def _m_delete_message(self, state: BotState, p: Params, ctx: RequestContext) -> bool:
        chat = self._lookup_chat(state, p)
        message_id = p.opt_int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise bad_request("message to delete not found")
        stored.deleted = True
        self.deletions.append((time.time(), chat.id, message_id))
        self._notify()
        return True

    async def _m_delete_messages(self, state: BotState, p: Params, ctx: RequestContext) -> bool:
        chat = self._lookup_chat(state, p)
        ids = p.json("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must be a non-empty list of at most 100 identifiers")
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise bad_request("message_ids must be a non-empty list of at most 100 identifiers")
        deleted = 0
        for message_id in ids:
            stored = chat.messages.get(message_id)
            if stored is not None and not stored.deleted:
                stored.deleted = True
                deleted += 1
                self.deletions.append((time.time(), chat.id, message_id))
        if not deleted:
            raise bad_request("message to delete not found")
        self._notify()
        return True

    async def _m_send_chat_action(self, state: BotState, p: Params, ctx: RequestContext) -> bool:
        chat = self._chat_for_send(state, p)
        action = p.text("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append(
            ChatActionRecord(
                seq=next(self._seq),
                token=state.token,
                chat_id=chat.id,
                action=action,
                wall_time=ctx.arrival_wall,
                mono_time=ctx.arrival_mono,
            )
        )
        self._notify()
        return True
