"""The partner API in the test process on the real broker, beside an in-process router."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import yaml
from fastapi import FastAPI

from plumbing.clock import Clock
from plumbing.runtime import ServiceRuntime
from services.router.partner_api.app import build
from services.router.partner_api.domain.keys import key_hash
from services.router.partner_api.settings import PartnerApiSettings
from tests.integration.router.support import desk_config

MANILA_KEY = "sbp_it_manila_000000000000000000000000000000000000"
RIGA_KEY = "sbp_it_riga_00000000000000000000000000000000000000"
PSEUDONYM_KEY = "integration-pseudonym-key-0123456789abcdef"


def partner_desk_config(path: Path, webhook_url: str | None = None, **desk: Any) -> Path:
    """The router tests' desk (Tallinn in-house; Manila and Riga partners) with API keys."""
    desk_config(path, **desk)
    config = yaml.safe_load(path.read_text())
    manila: dict[str, Any] = {
        "keys": [{"id": "manila-it", "sha256": key_hash(MANILA_KEY)}],
        "rate_limit": "1000/second",
    }
    if webhook_url is not None:
        manila["webhook"] = {"url": webhook_url, "signing_secret_env": "IT_MANILA_WEBHOOK_SECRET"}
    config["partner_api"] = {
        "partners": {
            "manila": manila,
            "riga": {
                "keys": [{"id": "riga-it", "sha256": key_hash(RIGA_KEY)}],
                "rate_limit": "1000/second",
            },
        }
    }
    path.write_text(yaml.safe_dump(config))
    return path


def api_settings(bootstrap: str, prefix: str, config: Path, **overrides: Any) -> PartnerApiSettings:
    return PartnerApiSettings.model_validate(
        {
            "kafka_bootstrap_servers": bootstrap,
            "topic_prefix": prefix,
            "config_path": config,
            "partner_api_pseudonym_key": PSEUDONYM_KEY,
            **overrides,
        }
    )


@asynccontextmanager
async def running_api(
    settings: PartnerApiSettings, clock: Clock | None = None
) -> AsyncIterator[tuple[FastAPI, ServiceRuntime]]:
    app, runtime = build(settings, clock=clock)
    async with runtime.lifespan(app):
        yield app, runtime


@asynccontextmanager
async def http(app: FastAPI, key: str) -> AsyncIterator[httpx.AsyncClient]:
    """A partner's client of one API instance (requests go straight to its ASGI app)."""
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://partner-api", headers=headers
    ) as client:
        yield client
