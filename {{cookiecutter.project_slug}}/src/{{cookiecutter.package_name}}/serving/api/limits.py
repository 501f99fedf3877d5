"""A request body size limit, enforced before the body is parsed (pure ASGI, no buffering)."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def body_too_large_message(limit: int) -> str:
    """The error for a body over `limit` bytes."""
    return f"request body too large: the limit is {limit} bytes (MAX_BODY_BYTES)"


class BodyTooLargeError(HTTPException):
    """Raised while reading a streamed body once it passes the limit (the app answers 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=body_too_large_message(limit))


class BodySizeLimit:
    """Answer 413 to a request whose body is over `max_bytes`, declared or streamed.

    A declared Content-Length over the limit is refused before anything is read; a streamed
    body raises `BodyTooLargeError` inside the app once it passes the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared size, then count the streamed body as the app reads it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _send_error(send, 400, "invalid Content-Length header")
                return
            if int(declared) > self.max_bytes:
                await _send_error(send, 413, body_too_large_message(self.max_bytes))
                return

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLargeError(self.max_bytes)
            return message

        await self.app(scope, counting_receive, send)


async def _send_error(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail, "errors": []}).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
