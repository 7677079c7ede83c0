"""Fault injection: what a test's fault hook may return to disturb one request.

Install a hook with ``BotApiStandIn.set_fault(hook)``; the request pipeline (standin/core.py)
consults it before every request and answers with :func:`fault_response` when it interrupts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

from standin.protocol import ApiError, JSONDict, Response


def _proxy_page(status: int) -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return (
        f"<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()


@dataclass(frozen=True)
class Fault:
    """What the fault hook may return to disturb one request.

    * ``delay``: hang this many seconds before doing anything (the request is dropped, i.e.
      never processed, if the client gives up and disconnects meanwhile);
    * ``status``: answer with this HTTP status instead of processing the request; the body is
      ``body`` or, by default, an nginx-style HTML error page (as a failing proxy answers);
    * ``drop_connection``: close the connection without any answer;
    * ``after_processing``: process the request normally first (state changes happen, e.g. a
      message is sent) and only then answer with the fault: the "lost response" case.

    A hook may also return a plain ``int`` (HTTP status 100-599) or ``float`` (delay seconds).
    """

    status: int | None = None
    delay: float = 0.0
    body: bytes | str | None = None
    content_type: str = "text/html"
    after_processing: bool = False
    drop_connection: bool = False

    @classmethod
    def http(cls, status: int, *, delay: float = 0.0, after_processing: bool = False) -> Fault:
        """An HTTP error with a proxy's HTML page as body."""
        return cls(status=status, delay=delay, after_processing=after_processing)

    @classmethod
    def api_error(
        cls,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        delay: float = 0.0,
        after_processing: bool = False,
    ) -> Fault:
        """A well-formed Bot API error answer, e.g. ``Fault.api_error(500, "Internal Server
        Error")`` or a 429 with ``retry_after``."""
        params = {"retry_after": retry_after} if retry_after is not None else None
        body = json.dumps(ApiError(code, description, params).payload())
        return cls(
            status=code,
            body=body,
            content_type="application/json",
            delay=delay,
            after_processing=after_processing,
        )

    @classmethod
    def hang(cls, seconds: float) -> Fault:
        """Delay the answer, then process normally."""
        return cls(delay=seconds)

    @classmethod
    def disconnect(cls, *, delay: float = 0.0, after_processing: bool = False) -> Fault:
        """Close the connection without answering."""
        return cls(drop_connection=True, delay=delay, after_processing=after_processing)

    @property
    def interrupts(self) -> bool:
        return self.status is not None or self.drop_connection


FaultResult = Fault | int | float | None
FaultHook = Callable[[str, JSONDict], FaultResult]


def as_fault(value: FaultResult) -> Fault | None:
    if value is None or isinstance(value, Fault):
        return value
    if isinstance(value, bool):
        raise TypeError("a fault hook must return None, a Fault, an int status or a float delay")
    if isinstance(value, int):
        if not 100 <= value <= 599:
            raise ValueError(f"fault status {value} is not an HTTP status (100-599)")
        return Fault(status=value)
    if isinstance(value, float):
        return Fault(delay=value)
    raise TypeError(f"unsupported fault {value!r}")


def fault_response(fault: Fault) -> Response:
    if fault.drop_connection:
        return Response(0, drop=True)
    status = fault.status or 502
    body = fault.body if fault.body is not None else _proxy_page(status)
    if isinstance(body, str):
        body = body.encode()
    return Response(status, body, fault.content_type)
