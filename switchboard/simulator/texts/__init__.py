"""Language packs for customer messages, by ISO 639-1 code."""

from __future__ import annotations

from switchboard.simulator.texts import cs, de, en, et, fi, lt, lv, pl, ru, sv, tr, uk
from switchboard.simulator.texts.pack import PRODUCT_KEYS, LanguagePack

PACKS: dict[str, LanguagePack] = {
    module.PACK.code: module.PACK for module in (et, lv, lt, fi, sv, pl, cs, tr, de, en, ru, uk)
}

__all__ = ["PACKS", "PRODUCT_KEYS", "LanguagePack"]
