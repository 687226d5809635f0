"""The shop's markets: where customers live, what they speak, how they write to us.

The shop is "Nordvale", a fictional online retailer of electronics, home goods and
outdoor clothing selling in the Baltics, Finland, Poland, Czechia, Turkey,
Germany and Ireland, on its own sites and on marketplaces. Every address and
domain is under the reserved ``.example`` top-level domain (RFC 2606).
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.base import Channel

SHOP_NAME = "Nordvale"
SHOP_DOMAIN = "nordvale.example"

#: The support address customers write to, by the language of the site they use.
SUPPORT_MAILBOX: dict[str, str] = {
    "et": "klienditugi",
    "lv": "atbalsts",
    "lt": "pagalba",
    "fi": "asiakaspalvelu",
    "sv": "kundtjanst",
    "pl": "pomoc",
    "cs": "podpora",
    "tr": "destek",
    "de": "kundenservice",
    "en": "support",
    "ru": "support",
    "uk": "support",
}


@dataclass(frozen=True)
class Market:
    code: str
    timezone: str
    share: float
    languages: dict[str, float]
    channels: dict[Channel, float]
    currency: str
    #: Median order value in the market's currency.
    order_value_median: float
    phone_prefix: str
    #: National number after the prefix: ``#`` is any digit, other characters literal.
    phone_pattern: str
    mail_providers: tuple[str, ...]
    carriers: dict[str, float]
    marketplaces: dict[str, float]


_DEFAULT_CHANNELS: dict[Channel, float] = {
    Channel.EMAIL: 0.36,
    Channel.CHAT: 0.31,
    Channel.PHONE: 0.10,
    Channel.SOCIAL: 0.07,
    Channel.MARKETPLACE: 0.16,
}


def _channels(**changes: float) -> dict[Channel, float]:
    mix = dict(_DEFAULT_CHANNELS)
    for name, weight in changes.items():
        mix[Channel(name)] = weight
    return mix


MARKETS: tuple[Market, ...] = (
    Market(
        code="ee",
        timezone="Europe/Tallinn",
        share=0.14,
        languages={"et": 0.70, "ru": 0.22, "en": 0.08},
        channels=_channels(),
        currency="EUR",
        order_value_median=55.0,
        phone_prefix="+372",
        phone_pattern="5#######",
        mail_providers=("postkast.example", "kiri.example", "mail.example"),
        carriers={"Omniva": 0.5, "DPD": 0.3, "Smartposti": 0.2},
        marketplaces={"pigu": 0.45, "amazon": 0.25, "etsy": 0.15, "ebay": 0.15},
    ),
    Market(
        code="lv",
        timezone="Europe/Riga",
        share=0.10,
        languages={"lv": 0.62, "ru": 0.32, "en": 0.06},
        channels=_channels(),
        currency="EUR",
        order_value_median=50.0,
        phone_prefix="+371",
        phone_pattern="2#######",
        mail_providers=("pasts.example", "inbox.example", "mail.example"),
        carriers={"Omniva": 0.45, "DPD": 0.35, "Latvijas Pasts": 0.2},
        marketplaces={"pigu": 0.5, "amazon": 0.25, "ebay": 0.15, "etsy": 0.1},
    ),
    Market(
        code="lt",
        timezone="Europe/Vilnius",
        share=0.12,
        languages={"lt": 0.84, "ru": 0.08, "pl": 0.04, "en": 0.04},
        channels=_channels(),
        currency="EUR",
        order_value_median=50.0,
        phone_prefix="+370",
        phone_pattern="6#######",
        mail_providers=("pastas.example", "inbox.example", "mail.example"),
        carriers={"Omniva": 0.4, "LP Express": 0.35, "DPD": 0.25},
        marketplaces={"pigu": 0.6, "amazon": 0.2, "ebay": 0.1, "etsy": 0.1},
    ),
    Market(
        code="fi",
        timezone="Europe/Helsinki",
        share=0.14,
        languages={"fi": 0.87, "sv": 0.07, "en": 0.06},
        channels=_channels(phone=0.08, chat=0.33),
        currency="EUR",
        order_value_median=65.0,
        phone_prefix="+358",
        phone_pattern="4########",
        mail_providers=("sposti.example", "posti.example", "mail.example"),
        carriers={"Posti": 0.6, "Matkahuolto": 0.25, "DHL": 0.15},
        marketplaces={"cdon": 0.35, "amazon": 0.35, "etsy": 0.15, "ebay": 0.15},
    ),
    Market(
        code="pl",
        timezone="Europe/Warsaw",
        share=0.18,
        languages={"pl": 0.92, "uk": 0.06, "en": 0.02},
        channels=_channels(marketplace=0.30, email=0.30, chat=0.25),
        currency="PLN",
        order_value_median=230.0,
        phone_prefix="+48",
        phone_pattern="5########",
        mail_providers=("poczta.example", "skrzynka.example", "mail.example"),
        carriers={"InPost": 0.55, "DPD": 0.2, "Poczta Polska": 0.15, "DHL": 0.1},
        marketplaces={"allegro": 0.75, "amazon": 0.2, "ebay": 0.05},
    ),
    Market(
        code="cz",
        timezone="Europe/Prague",
        share=0.08,
        languages={"cs": 0.93, "uk": 0.04, "en": 0.03},
        channels=_channels(),
        currency="CZK",
        order_value_median=1300.0,
        phone_prefix="+420",
        phone_pattern="7########",
        mail_providers=("posta.example", "schranka.example", "mail.example"),
        carriers={"Zásilkovna": 0.5, "PPL": 0.3, "Česká pošta": 0.2},
        marketplaces={"allegro": 0.5, "amazon": 0.3, "ebay": 0.2},
    ),
    Market(
        code="tr",
        timezone="Europe/Istanbul",
        share=0.06,
        languages={"tr": 0.96, "en": 0.04},
        channels=_channels(marketplace=0.40, email=0.22, chat=0.22, social=0.08, phone=0.08),
        currency="TRY",
        order_value_median=2500.0,
        phone_prefix="+90",
        phone_pattern="5#########",
        mail_providers=("eposta.example", "posta.example", "mail.example"),
        carriers={"Yurtiçi Kargo": 0.4, "Aras Kargo": 0.35, "MNG Kargo": 0.25},
        marketplaces={"trendyol": 0.8, "amazon": 0.15, "etsy": 0.05},
    ),
    Market(
        code="de",
        timezone="Europe/Berlin",
        share=0.10,
        languages={"de": 0.92, "tr": 0.04, "en": 0.04},
        channels=_channels(),
        currency="EUR",
        order_value_median=60.0,
        phone_prefix="+49",
        phone_pattern="15#########",
        mail_providers=("postfach.example", "netzpost.example", "mail.example"),
        carriers={"DHL": 0.55, "Hermes": 0.25, "DPD": 0.2},
        marketplaces={"amazon": 0.6, "ebay": 0.3, "etsy": 0.1},
    ),
    Market(
        code="ie",
        timezone="Europe/Dublin",
        share=0.08,
        languages={"en": 1.0},
        channels=_channels(),
        currency="EUR",
        order_value_median=60.0,
        phone_prefix="+353",
        phone_pattern="8########",
        mail_providers=("inbox.example", "mailbox.example", "mail.example"),
        carriers={"An Post": 0.5, "DPD": 0.3, "UPS": 0.2},
        marketplaces={"amazon": 0.5, "ebay": 0.3, "etsy": 0.2},
    ),
)
