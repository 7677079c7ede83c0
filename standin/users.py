"""The user side of the stand-in: what users do, turned into queued updates."""

from __future__ import annotations

import copy
import time
from typing import Any

from standin.core import StandInCore
from standin.formatting.text import auto_entities, entities_json
from standin.protocol import JSONDict
from standin.state import BotState, Chat, Query, StoredMessage, strip_reply


class UserSide(StandInCore):
    """The scriptable user side: users write, edit, press buttons and ask inline queries."""

    def register_chat(
        self,
        chat_id: int,
        *,
        chat_type: str = "private",
        first_name: str = "Alex",
        username: str | None = None,
        title: str | None = None,
        token: str | None = None,
    ) -> JSONDict:
        """Make a chat known without a user message (so sends to it don't fail)."""
        state = self._writer_state(token)
        return copy.deepcopy(
            self._ensure_chat(state, chat_id, chat_type, first_name, username, title).data
        )

    def _ensure_chat(
        self,
        state: BotState,
        chat_id: int,
        chat_type: str,
        first_name: str,
        username: str | None,
        title: str | None,
    ) -> Chat:
        chat = state.chats.get(chat_id)
        if chat_type == "private":
            data: JSONDict = {"id": chat_id, "type": "private", "first_name": first_name}
        else:
            data = {"id": chat_id, "type": chat_type, "title": title or "Test chat"}
        if username:
            data["username"] = username
        if chat is None:
            chat = Chat(data)
            state.chats[chat_id] = chat
        elif chat.data.get("type") == chat_type:
            chat.data.update(data)
        return chat

    def _ensure_user(
        self,
        state: BotState,
        user_id: int,
        first_name: str,
        username: str | None,
        language_code: str | None,
    ) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        state.users[user_id] = user
        return copy.deepcopy(user)

    def _known_user(self, state: BotState, chat_id: int, user_id: int | None) -> JSONDict:
        if user_id is None:
            chat = state.chats.get(chat_id)
            if chat is not None and chat.data.get("type") == "private":
                user_id = chat_id
            else:
                last = None
                if chat is not None:
                    for stored in chat.messages.values():
                        sender = stored.data.get("from")
                        if not stored.from_bot and isinstance(sender, dict):
                            last = sender
                if last is not None:
                    return copy.deepcopy(last)
                user_id = chat_id if chat_id > 0 else 100_000_001
        user = state.users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": "Alex", "language_code": "en"}
            state.users[user_id] = user
        return copy.deepcopy(user)

    def _user_message(
        self,
        state: BotState,
        chat_id: int,
        content: JSONDict,
        *,
        user_id: int | None,
        chat_type: str,
        first_name: str,
        username: str | None,
        language_code: str | None,
        title: str | None,
        reply_to_message_id: int | None,
    ) -> JSONDict:
        if chat_type == "private" and user_id is not None and user_id != chat_id:
            raise ValueError("in a private chat the user id is the chat id")
        chat = self._ensure_chat(state, chat_id, chat_type, first_name, username, title)
        sender_id = user_id if user_id is not None else (chat_id if chat_id > 0 else 100_000_001)
        user = self._ensure_user(state, sender_id, first_name, username, language_code)
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JSONDict = {
            "message_id": message_id,
            "from": user,
            "chat": copy.deepcopy(chat.data),
            "date": int(time.time()),
        }
        message.update(content)
        if reply_to_message_id is not None:
            target = chat.messages.get(reply_to_message_id)
            if target is None or target.deleted:
                raise LookupError(f"no message {reply_to_message_id} in chat {chat_id}")
            message["reply_to_message"] = strip_reply(target.data)
        chat.messages[message_id] = StoredMessage(copy.deepcopy(message), from_bot=False)
        self._push(state, {"message": copy.deepcopy(message)})
        return message

    def user_sends_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Alex",
        username: str | None = None,
        language_code: str | None = "en",
        reply_to_message_id: int | None = None,
        title: str | None = None,
        token: str | None = None,
    ) -> JSONDict:
        """A user writes ``text`` in ``chat_id``; queues a ``message`` update and returns the
        Message (with bot_command/url/mention entities as Telegram detects them)."""
        state = self._writer_state(token)
        content: JSONDict = {"text": text}
        entities = entities_json(text, auto_entities(text, []))
        if entities:
            content["entities"] = entities
        return self._user_message(
            state,
            chat_id,
            content,
            user_id=user_id,
            chat_type=chat_type,
            first_name=first_name,
            username=username,
            language_code=language_code,
            title=title,
            reply_to_message_id=reply_to_message_id,
        )

    def user_sends(
        self,
        chat_id: int,
        kind: str,
        *,
        caption: str | None = None,
        payload: JSONDict | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Alex",
        username: str | None = None,
        language_code: str | None = "en",
        reply_to_message_id: int | None = None,
        title: str | None = None,
        token: str | None = None,
    ) -> JSONDict:
        """A user sends a non-text message: sticker, photo, voice, location, document, video,
        audio, animation, video_note, contact or dice. ``payload`` overrides/extends the
        generated object."""
        state = self._writer_state(token)
        seq = next(self._seq)
        uid = f"AgAD{seq:06d}"

        def file(prefix: str, **extra: Any) -> JSONDict:
            return {"file_id": f"{prefix}{seq:08d}standin", "file_unique_id": uid, **extra}

        objects: dict[str, Any] = {
            "sticker": file(
                "CAACAgIAAx",
                type="regular",
                width=512,
                height=512,
                is_animated=False,
                is_video=False,
                emoji="👍",
                file_size=23_000,
            ),
            "photo": [
                file("AgACAgIAAx", width=90, height=67, file_size=1_200),
                file("AgACAgIAAy", width=1280, height=960, file_size=98_000),
            ],
            "voice": file("AwACAgIAAx", duration=3, mime_type="audio/ogg", file_size=8_000),
            "location": {"latitude": 52.520008, "longitude": 13.404954},
            "document": file(
                "BQACAgIAAx", file_name="notes.pdf", mime_type="application/pdf", file_size=20_480
            ),
            "video": file("BAACAgIAAx", width=640, height=360, duration=5, file_size=300_000),
            "audio": file("CQACAgIAAx", duration=30, mime_type="audio/mpeg", file_size=400_000),
            "animation": file("CgACAgIAAx", width=320, height=240, duration=2, file_size=50_000),
            "video_note": file("DQACAgIAAx", length=240, duration=4, file_size=60_000),
            "contact": {
                "phone_number": "+10000000000",
                "first_name": first_name,
                "user_id": user_id if user_id is not None else chat_id,
            },
            "dice": {"emoji": "🎲", "value": 4},
        }
        if kind not in objects:
            raise ValueError(f"unknown message kind {kind!r}; one of {sorted(objects)}")
        obj = objects[kind]
        if payload:
            obj = {**obj, **payload} if isinstance(obj, dict) else payload.get(kind, obj)
        content: JSONDict = {kind: obj}
        if kind == "animation":
            content["document"] = obj
        if caption is not None:
            content["caption"] = caption
            entities = entities_json(caption, auto_entities(caption, []))
            if entities:
                content["caption_entities"] = entities
        return self._user_message(
            state,
            chat_id,
            content,
            user_id=user_id,
            chat_type=chat_type,
            first_name=first_name,
            username=username,
            language_code=language_code,
            title=title,
            reply_to_message_id=reply_to_message_id,
        )

    def user_edits_text(
        self, chat_id: int, message_id: int, text: str, *, token: str | None = None
    ) -> JSONDict:
        """The user edits one of their text messages: queues an ``edited_message`` (or
        ``edited_channel_post``) update and returns the edited Message."""
        state = self._writer_state(token)
        chat = state.chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat is not None else None
        if stored is None or stored.deleted or stored.from_bot:
            raise LookupError(f"no user message {message_id} in chat {chat_id}")
        stored.data["text"] = text
        entities = entities_json(text, auto_entities(text, []))
        if entities:
            stored.data["entities"] = entities
        else:
            stored.data.pop("entities", None)
        stored.data["edit_date"] = int(time.time())
        kind = (
            "edited_channel_post" if stored.data["chat"]["type"] == "channel" else "edited_message"
        )
        self._push(state, {kind: copy.deepcopy(stored.data)})
        return copy.deepcopy(stored.data)

    def channel_post(
        self,
        chat_id: int,
        text: str,
        *,
        title: str = "Channel",
        username: str | None = None,
        token: str | None = None,
    ) -> JSONDict:
        """A post in a channel the bot administers: queues a ``channel_post`` update."""
        state = self._writer_state(token)
        chat = self._ensure_chat(state, chat_id, "channel", "", username, title)
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JSONDict = {
            "message_id": message_id,
            "sender_chat": copy.deepcopy(chat.data),
            "chat": copy.deepcopy(chat.data),
            "date": int(time.time()),
            "text": text,
        }
        entities = entities_json(text, auto_entities(text, []))
        if entities:
            message["entities"] = entities
        chat.messages[message_id] = StoredMessage(copy.deepcopy(message), from_bot=False)
        self._push(state, {"channel_post": copy.deepcopy(message)})
        return message

    def push_update(self, update: JSONDict, *, token: str | None = None) -> int:
        """Queue any update; ``update_id`` is assigned when missing. Returns the update_id."""
        state = self._writer_state(token)
        update = copy.deepcopy(update)
        if "update_id" in update:
            state.next_update_id = max(state.next_update_id, int(update["update_id"]) + 1)
        pushed = self._push(state, update)
        return int(pushed["update_id"])

    def user_presses(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        user_id: int | None = None,
        strict: bool = True,
        token: str | None = None,
    ) -> str:
        """A user presses an inline button of a bot message; queues a ``callback_query``
        update (its ``message`` is the message as it is now) and returns the query id.

        With ``strict`` the message must exist and currently carry a button with that
        callback_data (LookupError otherwise); ``strict=False`` simulates stale buttons."""
        state = self._writer_state(token)
        chat = state.chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat is not None else None
        if stored is None or stored.deleted:
            if strict:
                raise LookupError(f"no message {message_id} in chat {chat_id}")
            chat_data = chat.data if chat is not None else {"id": chat_id, "type": "private"}
            message: JSONDict = {
                "chat": copy.deepcopy(chat_data),
                "message_id": message_id,
                "date": 0,
            }
        else:
            if strict:
                rows = stored.data.get("reply_markup", {}).get("inline_keyboard", [])
                data = [b.get("callback_data") for row in rows for b in row]
                if callback_data not in data:
                    raise LookupError(
                        f"message {message_id} in chat {chat_id} has no button with "
                        f"callback_data {callback_data!r}; it has {data}"
                    )
            message = copy.deepcopy(stored.data)
        user = self._known_user(state, chat_id, user_id)
        query_id = str(4_611_686_018_427_387_904 + next(self._query_ids))
        query: JSONDict = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(-(abs(hash((state.bot_id, chat_id))) % 10**18)),
            "data": callback_data,
        }
        state.callback_queries[query_id] = Query(copy.deepcopy(query))
        self._push(state, {"callback_query": query})
        return query_id

    def user_inline_query(
        self,
        user_id: int,
        query: str,
        *,
        offset: str = "",
        chat_type: str | None = "sender",
        token: str | None = None,
    ) -> str:
        """A user types ``@bot query``; queues an ``inline_query`` update, returns its id."""
        state = self._writer_state(token)
        user = state.users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": "Alex",
            "language_code": "en",
        }
        query_id = str(2_305_843_009_213_693_952 + next(self._query_ids))
        inline: JSONDict = {
            "id": query_id,
            "from": copy.deepcopy(user),
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            inline["chat_type"] = chat_type
        state.inline_queries[query_id] = Query(copy.deepcopy(inline))
        self._push(state, {"inline_query": inline})
        return query_id
