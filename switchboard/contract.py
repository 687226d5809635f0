"""Generated contract documents: the AsyncAPI document of the services and the partner
API's OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path

from faststream.specification import AsyncAPI

from schemas.config import load_config
from services.ingest.app import build as build_ingest
from services.ingest.settings import IngestSettings
from services.router.app import build as build_router
from services.router.partner_api.api import openapi_document
from services.router.partner_api.app import build as build_partner_api
from services.router.partner_api.settings import PartnerApiSettings
from services.router.settings import RouterSettings
from services.sla.app import build as build_sla
from services.sla.settings import SlaSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
ASYNCAPI_PATH = REPO_ROOT / "docs" / "asyncapi.json"
PARTNER_API_PATH = REPO_ROOT / "docs" / "partner-api.json"
SAMPLE_CONFIG = REPO_ROOT / "deploy" / "config" / "switchboard.yaml"


def asyncapi_document(config_path: Path = SAMPLE_CONFIG) -> str:
    """AsyncAPI 3.0 of every subscriber and publisher, built from the services' own wiring
    (building connects to nothing)."""
    # Explicit values, so the document does not depend on the caller's environment.
    fixed = {"config_path": config_path, "kafka_bootstrap_servers": "kafka:9092"}
    _, ingest = build_ingest(IngestSettings.model_validate({**fixed, "topic_prefix": ""}))
    _, router = build_router(RouterSettings.model_validate({**fixed, "topic_prefix": ""}))
    _, sla = build_sla(SlaSettings.model_validate({**fixed, "topic_prefix": ""}))
    _, partner_api = build_partner_api(
        PartnerApiSettings.model_validate(
            {**fixed, "topic_prefix": "", "partner_api_pseudonym_key": "x" * 32}
        )
    )
    specification = AsyncAPI(
        ingest.broker,
        router.broker,
        sla.broker,
        partner_api.broker,
        title="Switchboard",
        version="1.0.0",
        description="Event-driven routing of e-commerce support tickets to in-house and "
        "partner teams, with SLA clocks. Topic names are shown without a deployment prefix.",
        schema_version="3.0.0",
    ).to_specification()
    document = json.loads(specification.to_json())
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def write_asyncapi(path: Path = ASYNCAPI_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(asyncapi_document())


def partner_api_document(config_path: Path = SAMPLE_CONFIG) -> str:
    """OpenAPI 3.1 of the partner API, from its own routes and models."""
    document = openapi_document(load_config(config_path))
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_partner_api(path: Path = PARTNER_API_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(partner_api_document())
