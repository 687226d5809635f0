"""The partner API without Kafka: a pipeline that applies each write through the same pure
view functions and feeds the same index, so HTTP tests exercise everything but the
transport. Also the test config: two partners with keys, one of them with webhooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from plumbing.clock import ManualClock
from schemas.audit import PartnerAction
from schemas.config import SwitchboardConfig, load_config
from schemas.sla import SlaEvent
from schemas.teams import TeamCapacity
from schemas.tickets import TicketEvent
from services.router.partner_api.api import APP_OPTIONS, install_api, presenters
from services.router.partner_api.codec import encode_ticket, served
from services.router.partner_api.context import Options, PartnerApi
from services.router.partner_api.domain.capacity import apply_capacity
from services.router.partner_api.domain.keys import key_hash
from services.router.partner_api.domain.minimise import Keep
from services.router.partner_api.domain.view import (
    PartnerTicket,
    apply_sla_event,
    apply_ticket_event,
)
from services.router.partner_api.index import ViewIndex
from services.router.partner_api.metrics import PartnerApiMetrics
from tests.conftest import SAMPLE_CONFIG
from tests.support.partner_events import NOW, OTHER_PARTNER, PARTNER

#: Keys of the test partners (plain; the config holds their hashes).
RIGA_KEY = "sbp_riga_test_key_0000000000000000000000000000000"
RIGA_OLD_KEY = "sbp_riga_rotated_out_000000000000000000000000000000"
MANILA_KEY = "sbp_manila_test_key_00000000000000000000000000000"
SECRET = b"pseudonym-secret-for-tests-0123456789"


def partner_api_section(
    rate_limit: str = "1000/second", webhook_url: str | None = None
) -> dict[str, Any]:
    riga: dict[str, Any] = {
        "keys": [
            {"id": "riga-2026-11", "sha256": key_hash(RIGA_KEY)},
            {"id": "riga-2026-10", "sha256": key_hash(RIGA_OLD_KEY), "revoked": True},
        ],
        "rate_limit": rate_limit,
        "max_agents": 200,
    }
    if webhook_url is not None:
        riga["webhook"] = {"url": webhook_url, "signing_secret_env": "RIGA_WEBHOOK_SECRET"}
    return {
        "partners": {
            PARTNER: riga,
            OTHER_PARTNER: {
                "keys": [{"id": "manila-1", "sha256": key_hash(MANILA_KEY)}],
                "fields": ["customer.id", "customer.name", "customer.email", "ticket.conversation"],
                "rate_limit": rate_limit,
            },
        }
    }


def partner_config(**section: Any) -> SwitchboardConfig:
    raw = yaml.safe_load(SAMPLE_CONFIG.read_text())
    raw["partner_api"] = partner_api_section(**section)
    return SwitchboardConfig.model_validate(raw)


def write_partner_config(path: Path, **section: Any) -> Path:
    raw = yaml.safe_load(SAMPLE_CONFIG.read_text())
    raw["partner_api"] = partner_api_section(**section)
    path.write_text(yaml.safe_dump(raw))
    load_config(path)
    return path


def keep_for(config: SwitchboardConfig) -> Keep:
    return Keep.union(
        [access.fields for access in config.partner_api.partners.values()],
        config.outsourcing.data_policy,
    )


@dataclass
class LocalPipeline:
    """Stands in for Kafka, the view processors and the mirrors, all at once."""

    index: ViewIndex
    keep: Keep
    clock: ManualClock
    records: dict[str, PartnerTicket] = field(default_factory=dict)
    ticket_events: list[TicketEvent] = field(default_factory=list)
    capacity_events: list[TeamCapacity] = field(default_factory=list)
    audits: list[PartnerAction] = field(default_factory=list)
    fail_audit: bool = False
    mirrors: list[ViewIndex] = field(default_factory=list)  # further "instances"

    async def ticket_event(self, event: TicketEvent) -> None:
        self.ticket_events.append(event)
        self.feed(event)

    async def capacity(self, event: TeamCapacity) -> None:
        self.capacity_events.append(event)
        current = self.index.capacities.get(event.team_id)
        updated = apply_capacity(current, event, self.clock.now())
        for index in (self.index, *self.mirrors):
            index.capacity_changed(event.team_id, updated)

    async def audit(self, event: PartnerAction) -> None:
        if self.fail_audit:
            raise ConnectionError("injected: partner.audit unreachable")
        self.audits.append(event)

    def feed(self, *events: TicketEvent | SlaEvent) -> None:
        for event in events:
            current = self.records.get(event.ticket_id)
            if event.type.startswith("sla."):
                updated = apply_sla_event(current, event, self.clock.now())  # type: ignore[arg-type]
            else:
                updated = apply_ticket_event(current, event, self.clock.now(), self.keep)  # type: ignore[arg-type]
            if updated is current:
                continue
            if updated is None:
                self.records.pop(event.ticket_id, None)
            else:
                self.records[event.ticket_id] = updated
            # What the mirrors get: the changelog record, through the service's own codec.
            record = None if updated is None else served(encode_ticket(updated))
            for index in (self.index, *self.mirrors):
                index.ticket_changed(event.ticket_id, record)


@dataclass
class LocalApi:
    app: FastAPI
    api: PartnerApi
    pipeline: LocalPipeline
    clock: ManualClock
    registry: CollectorRegistry


def local_api(
    config: SwitchboardConfig | None = None,
    *,
    pipeline: LocalPipeline | None = None,
    index: ViewIndex | None = None,
    max_body_bytes: int = 16 * 1024,
    auth_failure_limit: str = "1000/minute",
) -> LocalApi:
    config = config or partner_config()
    clock = pipeline.clock if pipeline is not None else ManualClock(NOW)
    index = index or (pipeline.index if pipeline is not None else ViewIndex())
    pipeline = pipeline or LocalPipeline(index=index, keep=keep_for(config), clock=clock)
    registry = CollectorRegistry()

    async def no_barrier() -> bool:
        return True

    api = PartnerApi(
        config=config,
        options=Options(confirm_timeout=1.0, accept_margin=timedelta(seconds=2)),
        clock=clock,
        index=index,
        publisher=pipeline,
        metrics=PartnerApiMetrics(registry),
        presenters=presenters(config, SECRET, timedelta(seconds=2)),
        barrier=no_barrier,
        kafka_reachable=lambda: True,
    )
    app = FastAPI(**APP_OPTIONS)  # type: ignore[arg-type]
    install_api(app, api, max_body_bytes=max_body_bytes, auth_failure_limit=auth_failure_limit)
    return LocalApi(app=app, api=api, pipeline=pipeline, clock=clock, registry=registry)
