"""The ``SWITCHBOARD_CONFIG`` file: teams, SLA policies and ingest rules, validated at start."""

from schemas.config.loader import ConfigError, load_config
from schemas.config.model import SwitchboardConfig

__all__ = ["ConfigError", "SwitchboardConfig", "load_config"]
