"""Carriers, marketplaces and the shapes of their ids.

Id patterns: ``#`` is a digit, ``@`` an upper-case letter, ``%`` a lower-case
hex digit; any other character stands for itself.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Tracking number shapes (UPU S10 for postal operators, the carriers' own otherwise).
TRACKING_PATTERNS: dict[str, str] = {
    "Omniva": "CE#########EE",
    "DPD": "##############",
    "Smartposti": "JJFI6############",
    "Latvijas Pasts": "RR#########LV",
    "LP Express": "CC#########LT",
    "Posti": "JJFI6############",
    "Matkahuolto": "MH##########",
    "DHL": "JJD000390############",
    "InPost": "########################",
    "Poczta Polska": "RR#########PL",
    "Zásilkovna": "Z##########",
    "PPL": "4##########",
    "Česká pošta": "DR#########CZ",
    "Yurtiçi Kargo": "############",
    "Aras Kargo": "############",
    "MNG Kargo": "#########",
    "Hermes": "H##################",
    "An Post": "CE#########IE",
    "UPS": "1Z@@@###########",
}

#: The shop's own order numbers.
SHOP_ORDER_PATTERN = "4#######"


@dataclass(frozen=True)
class Marketplace:
    id: str
    order_pattern: str
    buyer_pattern: str
    #: Hours the marketplace gives the seller to answer a buyer, if it sets a limit.
    reply_deadline_hours: float | None


#: Reply deadlines are modelled values, not quotes of each marketplace's rules:
#: Amazon asks sellers to answer buyer messages within 24 hours; the others
#: measure response times without a hard limit, except Trendyol's question
#: window, modelled as 48 hours.
MARKETPLACES: dict[str, Marketplace] = {
    "amazon": Marketplace("amazon", "###-#######-#######", "A@@@@#@@@@@#@", 24.0),
    "ebay": Marketplace("ebay", "##-#####-#####", "ebay#########", None),
    "allegro": Marketplace("allegro", "%%%%%%%%-%%%%-11ef-%%%%-%%%%%%%%%%%%", "#########", None),
    "etsy": Marketplace("etsy", "##########", "#########", None),
    "trendyol": Marketplace("trendyol", "##########", "#########", 48.0),
    "cdon": Marketplace("cdon", "CD########", "#######", None),
    "pigu": Marketplace("pigu", "#########", "#######", None),
}

SOCIAL_PLATFORMS: dict[str, float] = {
    "facebook": 0.4,
    "instagram": 0.3,
    "x": 0.2,
    "tiktok": 0.1,
}
#: Share of social messages that are direct messages rather than public posts.
SOCIAL_DM_SHARE = 0.6

#: What the caller chose in the phone menu, by the skill of the call.
IVR_CHOICE: dict[str, str] = {
    "orders_shipping": "1",
    "returns_refunds": "2",
    "payments_billing": "3",
    "account_technical": "4",
    "product_question": "5",
}
