"""Ingest settings that a support lead edits: languages and classification."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class IngestConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    languages: list[str] = Field(
        default_factory=lambda: ["en", "de", "et", "pl", "cs", "tr"],
        min_length=1,
        description="Candidate languages for detection (ISO 639-1).",
    )
    skills: list[str] = Field(
        default_factory=lambda: [
            "orders_shipping",
            "returns_refunds",
            "payments_billing",
            "account_technical",
            "product_question",
        ],
        min_length=1,
    )
    default_skill: str = "product_question"
