"""The HTTP layer (tornado): Bot API requests, the ``/standin/`` control API and 404s.

Requests are answered as ``api.telegram.org`` answers them: parameters from the query string, a
form or multipart body (uploads included) or a JSON body.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from typing import TYPE_CHECKING

import tornado.web

from standin.calls import RequestContext
from standin.protocol import ApiError, JSONDict, Response, bad_request, json_response
from standin.records import Upload

if TYPE_CHECKING:
    from standin.server import BotApiStandIn


def no_access_log(handler: tornado.web.RequestHandler) -> None:
    return None


class _BaseHandler(tornado.web.RequestHandler):
    def set_default_headers(self) -> None:
        self.set_header("Server", "nginx/1.18.0")

    def compute_etag(self) -> str | None:
        return None

    def _send(self, response: Response) -> None:
        self.set_status(response.status)
        self.set_header("Content-Type", response.content_type)
        self.finish(response.body)


class ApiHandler(_BaseHandler):
    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(self, standin: BotApiStandIn) -> None:
        self.standin = standin
        self.ctx = RequestContext()

    def on_connection_close(self) -> None:
        self.ctx.close()

    async def get(self, token: str, method: str) -> None:
        await self._handle(token, method)

    async def post(self, token: str, method: str) -> None:
        await self._handle(token, method)

    async def _handle(self, token: str, method: str) -> None:
        try:
            params = self._collect_params()
        except ApiError as error:
            self._send(json_response(error.code, error.payload()))
            return
        response = await self.standin._serve(token, method, params, self.ctx)
        if response.drop or self.ctx.closed:
            self.detach().close()
            return
        self._send(response)

    def _collect_params(self) -> JSONDict:
        request = self.request
        params: JSONDict = {
            key: values[-1].decode("utf-8", "replace")
            for key, values in request.query_arguments.items()
            if values
        }
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            if request.body.strip():
                try:
                    body = json.loads(request.body)
                except ValueError:
                    raise bad_request("can't parse JSON encoded request body") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON encoded request body must be an Object")
                params.update(body)
            return params
        for key, values in request.body_arguments.items():
            if values:
                params[key] = values[-1].decode("utf-8", "replace")
        uploads = {
            key: Upload(f[-1].filename, f[-1].content_type, f[-1].body)
            for key, f in request.files.items()
            if f
        }
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                name = value[len("attach://") :]
                if name in uploads:
                    params[key] = uploads.pop(name)
        params.update(uploads)
        return params


class ControlHandler(_BaseHandler):
    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(self, standin: BotApiStandIn) -> None:
        self.standin = standin

    async def get(self, action: str) -> None:
        try:
            result = self.standin._control_listing(action)
        except KeyError:
            self._send(json_response(404, ApiError(404, "Not Found").payload()))
            return
        self._send(json_response(200, {"ok": True, "result": result}))

    async def post(self, action: str) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
            if not isinstance(body, dict):
                raise TypeError("the body must be a JSON object")
            result = self.standin._control(action, body)
            if isinstance(result, Awaitable):
                result = await result
        except KeyError:
            self._send(json_response(404, ApiError(404, "Not Found").payload()))
            return
        except (TypeError, ValueError, LookupError) as exc:
            self._send(json_response(400, ApiError(400, f"Bad Request: {exc}").payload()))
            return
        self._send(json_response(200, {"ok": True, "result": result}))


class NotFoundHandler(_BaseHandler):
    def prepare(self) -> None:
        self._send(json_response(404, ApiError(404, "Not Found").payload()))
