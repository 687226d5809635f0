"""A partner's webhook endpoint on localhost: records what arrives, verifies signatures,
and can refuse the first attempts to make the sender retry."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.router.partner_api.domain.signing import DELIVERY_HEADER, SIGNATURE_HEADER, verify
from switchboard.launcher import free_port


@dataclass
class Delivery:
    delivery_id: str
    body: bytes
    signed: bool
    answered: int


@dataclass
class Receiver:
    secret: bytes
    refuse_first: int = 0
    deliveries: list[Delivery] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        signed = verify(self.secret, request.headers.get(SIGNATURE_HEADER, ""), body, time.time())
        status = 500 if len(self.deliveries) < self.refuse_first else 204
        if not signed:
            status = 401
        self.deliveries.append(
            Delivery(request.headers.get(DELIVERY_HEADER, ""), body, signed, status)
        )
        self.arrived.set()
        return Response(status_code=status)


class _InTestServer(uvicorn.Server):
    """uvicorn without its signal handlers (the test runner keeps its own)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@asynccontextmanager
async def webhook_receiver(secret: bytes, refuse_first: int = 0) -> AsyncIterator[Receiver]:
    receiver = Receiver(secret=secret, refuse_first=refuse_first)
    port = free_port()
    receiver.url = f"http://127.0.0.1:{port}/hooks/switchboard"
    app = Starlette(routes=[Route("/hooks/switchboard", receiver.receive, methods=["POST"])])
    server = _InTestServer(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.01)
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task
