from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from plumbing.settings import ServiceSettings


class RouterSettings(ServiceSettings):
    http_port: int = Field(default=8002, ge=0, le=65535)
    router_tick_seconds: float = Field(
        default=0.25,
        gt=0,
        le=5,
        description="Real seconds between checks of the backlog and offer timeouts when "
        "nothing wakes the timer earlier.",
    )
    router_give_up_checks_per_tick: int = Field(
        default=256,
        ge=1,
        description="Waiting tickets of one in-house team the claims' timer checks per tick "
        "for leaving the team (nobody online, or a deadline the team's wait cannot meet); "
        "a longer list is read on from where the last tick stopped, so a night's queue never "
        "blocks the event loop.",
    )
    router_max_unconfirmed_per_team: int = Field(
        default=8,
        ge=0,
        description="Assignments to one team this instance may make before its load view has "
        "read them back; bounds how far instances together can exceed a team's capacity "
        "((instances - 1) x this). 0 disables the bound (one instance only).",
    )
    router_resolved_retention: timedelta = Field(
        default=timedelta(days=7),
        gt=timedelta(0),
        description="How long (clock time) a resolved ticket is remembered so that a reopened "
        "ticket can be routed again.",
    )
    router_presence_timeout_seconds: float = Field(
        default=15.0,
        gt=0,
        description="Real seconds without a heartbeat after which an in-house agent counts as "
        "offline (at least three of its terminal's own heartbeat periods): its tickets go back "
        "to the team's queue and its slots leave the team's live capacity.",
    )
