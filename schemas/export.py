"""Export the contract as JSON Schema files: ``python -m schemas.export``.

One file per event type and channel payload, one per topic (the union it
carries), and one for the config file. A test fails when the committed files
differ from what the models say.
"""

from __future__ import annotations

import json
import sys
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from schemas.agents import AgentEvent
from schemas.audit import PartnerAction
from schemas.config import SwitchboardConfig
from schemas.customers import CustomerProfile
from schemas.dlq import DeadLetter
from schemas.inbound import PAYLOAD_BY_CHANNEL
from schemas.ingest import IngestRecord
from schemas.queue import QueueEvent
from schemas.sla import SlaEvent, SlaForecastEvent
from schemas.teams import TeamEvent
from schemas.tickets import TicketEvent

JSON_DIR = Path(__file__).parent / "json"

#: Topic (``queue`` stands for every ``queue.<team_id>``, ``dlq`` for every
#: ``<topic>.dlq``) -> the type its records have.
TOPIC_PAYLOADS: dict[str, Any] = {
    **{f"inbound.{channel.value}": model for channel, model in PAYLOAD_BY_CHANNEL.items()},
    "ingest.messages": IngestRecord,
    "tickets": TicketEvent,
    "queue": QueueEvent,
    "sla": SlaEvent,
    "sla.forecasts": SlaForecastEvent,
    "teams": TeamEvent,
    "agents.presence": AgentEvent,
    "customers": CustomerProfile,
    "partner.audit": PartnerAction,
    "dlq": DeadLetter,
}


def _event_models(union: Any) -> list[type[BaseModel]]:
    """The models of an ``Annotated[A | B, Field(discriminator=...)]`` union (or one model)."""
    if isinstance(union, type) and issubclass(union, BaseModel):
        return [union]
    inner = typing.get_args(union)[0]
    return [model for model in typing.get_args(inner) or (inner,) if isinstance(model, type)]


def _type_name(model: type[BaseModel]) -> str:
    field = model.model_fields.get("type")
    if field is not None and isinstance(field.default, str):
        return field.default
    return f"inbound.{model.model_fields['channel'].default}"


def _dump(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render() -> dict[str, str]:
    """File name -> content, for every schema file."""
    files: dict[str, str] = {}
    for topic, payload in TOPIC_PAYLOADS.items():
        files[f"topic.{topic}.json"] = _dump(
            TypeAdapter(payload).json_schema(mode="serialization", by_alias=True)
        )
        for model in _event_models(payload):
            files[f"{_type_name(model)}.json"] = _dump(
                model.model_json_schema(mode="serialization", by_alias=True)
            )
    files["switchboard-config.json"] = _dump(SwitchboardConfig.model_json_schema(mode="validation"))
    return files


def stale_files(directory: Path = JSON_DIR) -> list[str]:
    """Names of files that are missing, different or no longer produced."""
    wanted = render()
    present = {path.name for path in directory.glob("*.json")}
    differing = [
        name
        for name, content in wanted.items()
        if not (directory / name).exists() or (directory / name).read_text() != content
    ]
    return sorted(set(differing) | (present - set(wanted)))


def write(directory: Path = JSON_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    wanted = render()
    for path in directory.glob("*.json"):
        if path.name not in wanted:
            path.unlink()
    for name, content in wanted.items():
        (directory / name).write_text(content)


if __name__ == "__main__":
    write()
    print(f"wrote {len(render())} JSON Schema files to {JSON_DIR}", file=sys.stderr)
