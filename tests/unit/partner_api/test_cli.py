"""`switchboard partner-key`: a key to hand over, and the hash to configure."""

from __future__ import annotations

import pytest
import yaml

from schemas.config import SwitchboardConfig
from services.router.partner_api.domain.keys import Caller, KeyRing
from switchboard.cli import main
from tests.conftest import SAMPLE_CONFIG
from tests.support.partner_events import NOW


def test_a_minted_key_authenticates_once_its_printed_hash_is_configured(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["partner-key", "--team", "manila-247", "--key-id", "manila-2026-11"]) == 0
    out = capsys.readouterr().out
    key = out.splitlines()[1].strip()
    snippet = yaml.safe_load(out.split("(only the hash is stored):\n", 1)[1])
    raw = yaml.safe_load(SAMPLE_CONFIG.read_text()) | snippet
    config = SwitchboardConfig.model_validate(raw)
    ring = KeyRing.from_config(config.partner_api)
    assert ring.identify(key, NOW) == Caller("manila-247", "manila-2026-11")
    assert key not in yaml.safe_dump(snippet), "the config never holds the key itself"


def test_keys_are_only_for_partner_teams(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["partner-key", "--team", "tallinn-care"]) == 2
    assert "not a partner team" in capsys.readouterr().err
