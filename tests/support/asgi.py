"""A raw ASGI request, for what an HTTP client will not send: a body that arrives in parts (with
something happening between them), headers outside ASCII, a body larger than any route should read."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from starlette.applications import Starlette

from verp import web


@dataclass
class Answer:
    status: int = 0
    parts_read: int = 0  # how many parts of the body the route asked for
    messages: list[dict] = field(default_factory=list)


def send_raw(
    method: str,
    path: str,
    headers: Sequence[tuple[bytes, bytes]],
    parts: Sequence[bytes] = (),
    between: Callable[[int], None] = lambda _n: None,
) -> Answer:
    """Send ``parts`` as the body, one ASGI message each; ``between(n)`` runs before part ``n`` is
    given to the route (so a test can sign out while a chunk is arriving)."""
    answer, remaining = Answer(), list(parts)

    async def receive() -> dict:
        if not remaining:
            return {"type": "http.request", "body": b"", "more_body": False}
        between(answer.parts_read)
        answer.parts_read += 1
        body = remaining.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(remaining)}

    async def send(message: dict) -> None:
        answer.messages.append(message)
        if message["type"] == "http.response.start":
            answer.status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    asyncio.run(Starlette(routes=web.routes())(scope, receive, send))
    return answer
