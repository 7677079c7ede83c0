"""Bot API methods about the bot itself: getMe, commands, descriptions, name, menu button."""

from __future__ import annotations

import copy
import re

from standin.calls import RequestContext
from standin.methods.common import MethodHelpers
from standin.params import Params
from standin.protocol import JSONDict, bad_request
from standin.state import BotState, scope_key


class ProfileMethods(MethodHelpers):
    """getMe, logOut/close, commands, descriptions, the bot's name and the menu button."""

    async def _m_true(self, state: BotState, p: Params, ctx: RequestContext) -> bool:
        return True

    async def _m_get_me(self, state: BotState, p: Params, ctx: RequestContext) -> JSONDict:
        return self._bot_user(state, full=True)

    async def _m_set_my_commands(self, state: BotState, p: Params, ctx: RequestContext) -> bool:
        commands = p.json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        clean: list[JSONDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand: Object expected")
            command, description = item.get("command"), item.get("description")
            if not isinstance(command, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": command, "description": description})
        key = (scope_key(p.json("scope")), p.text("language_code"))
        if clean:
            state.commands[key] = clean
        else:
            state.commands.pop(key, None)
        return True

    async def _m_get_my_commands(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> list[JSONDict]:
        key = (scope_key(p.json("scope")), p.text("language_code"))
        return copy.deepcopy(state.commands.get(key, []))

    async def _m_delete_my_commands(self, state: BotState, p: Params, ctx: RequestContext) -> bool:
        state.commands.pop((scope_key(p.json("scope")), p.text("language_code")), None)
        return True

    @staticmethod
    def _set_text(store: dict[str, str], p: Params, key: str, limit: int) -> bool:
        value = p.text(key)
        if len(value) > limit:
            raise bad_request(f"{key.replace('_', ' ')} is too long")
        language = p.text("language_code")
        if value:
            store[language] = value
        else:
            store.pop(language, None)
        return True

    async def _m_set_my_description(self, state: BotState, p: Params, ctx: RequestContext) -> bool:
        return self._set_text(state.descriptions, p, "description", 512)

    async def _m_get_my_description(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> JSONDict:
        return {"description": state.descriptions.get(p.text("language_code"), "")}

    async def _m_set_my_short_description(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> bool:
        return self._set_text(state.short_descriptions, p, "short_description", 120)

    async def _m_get_my_short_description(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> JSONDict:
        return {"short_description": state.short_descriptions.get(p.text("language_code"), "")}

    async def _m_set_my_name(self, state: BotState, p: Params, ctx: RequestContext) -> bool:
        return self._set_text(state.names, p, "name", 64)

    async def _m_get_my_name(self, state: BotState, p: Params, ctx: RequestContext) -> JSONDict:
        language = p.text("language_code")
        return {"name": state.names.get(language, state.names.get("", self.bot_first_name))}

    async def _m_set_chat_menu_button(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> bool:
        key = self._lookup_chat(state, p).id if p.has("chat_id") else None
        button = p.json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or not isinstance(button.get("type"), str):
            raise bad_request("can't parse menu button JSON object")
        state.menu_buttons[key] = button
        return True

    async def _m_get_chat_menu_button(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> JSONDict:
        key = self._lookup_chat(state, p).id if p.has("chat_id") else None
        button = state.menu_buttons.get(key)
        if button is None or button.get("type") == "default":
            button = state.menu_buttons.get(None) or {"type": "commands"}
            if button.get("type") == "default":
                button = {"type": "commands"}
        return copy.deepcopy(button)
