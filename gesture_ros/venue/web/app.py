"""The page's routes: the page itself, its static files, JSON snapshots, model figures and a live stream.

Read-only: GET routes only, nothing reaches a device. With a token every route wants it
(``?token=`` or ``Authorization: Bearer``); without one the server binds to loopback only (cli).
"""

from __future__ import annotations

import asyncio
import hmac
import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from gesture_ros.venue import queries
from gesture_ros.venue.web.snapshot import Snapshots

STATIC = Path(__file__).parent / "static"


class TokenGate:
    """Refuse every request without the access token (constant-time compare)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.token:
            request = Request(scope)
            given = request.query_params.get("token", "")
            auth = request.headers.get("authorization", "")
            if auth.lower().startswith("bearer "):
                given = auth[7:]
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                await PlainTextResponse("access token required", status_code=401)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(snapshots: Snapshots, token: str = "", tick_s: float = 0.5) -> Starlette:
    """Return the page's ASGI app over a snapshot source."""

    async def index(request: Request) -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def snapshot(request: Request) -> JSONResponse:
        return JSONResponse(await asyncio.to_thread(snapshots.get))

    async def models(request: Request) -> JSONResponse:
        window = float(request.query_params.get("window_s", 600))
        low = float(request.query_params.get("low", 0.6))
        rows = await asyncio.to_thread(queries.models, snapshots.store, window, low)
        return JSONResponse({"window_s": window, "low": low, "models": rows})

    async def stream(request: Request) -> StreamingResponse:
        async def events():
            last = None
            while not await request.is_disconnected():
                data = json.dumps(await asyncio.to_thread(snapshots.get), separators=(",", ":"))
                if data != last:
                    last = data
                    yield f"event: snapshot\ndata: {data}\n\n"
                else:
                    yield ": still here\n\n"
                await asyncio.sleep(tick_s)
        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    routes = [Route("/", index), Route("/api/snapshot", snapshot), Route("/api/models", models),
              Route("/api/stream", stream), Mount("/static", StaticFiles(directory=STATIC, follow_symlink=True), name="static")]
    return Starlette(routes=routes, middleware=[Middleware(TokenGate, token=token)])
