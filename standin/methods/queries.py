"""Bot API methods that answer users' queries: button presses and inline queries."""

from __future__ import annotations

from standin.calls import RequestContext
from standin.methods.common import MethodHelpers
from standin.params import Params
from standin.protocol import QUERY_TOO_OLD, bad_request
from standin.state import BotState


class QueryMethods(MethodHelpers):
    """answerCallbackQuery and answerInlineQuery."""

    async def _m_answer_callback_query(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> bool:
        query_id = p.text("callback_query_id")
        query = state.callback_queries.get(query_id)
        if query is None or query.answered:
            raise bad_request(QUERY_TOO_OLD)
        text = p.opt_str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        query.answer = {
            "callback_query_id": query_id,
            "text": text,
            "show_alert": p.boolean("show_alert"),
            "url": p.opt_str("url"),
            "cache_time": p.integer("cache_time", 0),
        }
        self._notify()
        return True

    async def _m_answer_inline_query(
        self, state: BotState, p: Params, ctx: RequestContext
    ) -> bool:
        query_id = p.text("inline_query_id")
        query = state.inline_queries.get(query_id)
        if query is None or query.answered:
            raise bad_request(QUERY_TOO_OLD)
        results = p.json("results")
        if not isinstance(results, list):
            raise bad_request("can't parse results JSON object")
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict) or not isinstance(result.get("type"), str):
                raise bad_request("can't parse InlineQueryResult JSON object")
            result_id = result.get("id")
            if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
                raise bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
        query.answered = True
        query.answer = {
            "inline_query_id": query_id,
            "results": results,
            "cache_time": p.integer("cache_time", 300),
            "is_personal": p.boolean("is_personal"),
            "next_offset": p.opt_str("next_offset"),
            "button": p.json("button"),
        }
        self._notify()
        return True
