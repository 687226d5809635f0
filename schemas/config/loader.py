"""Read and validate the YAML config; every problem is reported with its place and reason."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from schemas.config.model import SwitchboardConfig


class ConfigError(Exception):
    """The config file is missing, not YAML, or not valid; the message says where and why."""


def _describe(error: ValidationError, path: Path) -> str:
    lines = [f"{path}: {error.error_count()} problem(s) in the Switchboard config:"]
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  - {where}: {item['msg']}")
    return "\n".join(lines)


def load_config(path: Path | str) -> SwitchboardConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the Switchboard config: {exc.strerror}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping with 'teams' and 'sla'")
    try:
        return SwitchboardConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None
