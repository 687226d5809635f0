"""The language packs: complete, grammatical slots, real letters, no placeholders."""

from __future__ import annotations

import random
import re
import string
from datetime import date
from decimal import Decimal

import pytest
from babel import Locale
from hypothesis import given
from hypothesis import strategies as st

from schemas.base import Channel
from switchboard.simulator.compose import Facts, Style, Writer, fill, first_message, follow_up
from switchboard.simulator.customers import new_customer
from switchboard.simulator.data.markets import MARKETS, Market
from switchboard.simulator.data.mix import SKILLS
from switchboard.simulator.style import add_typos, plain_letters, shout
from switchboard.simulator.texts import PACKS, PRODUCT_KEYS, LanguagePack

PACK_LIST = list(PACKS.values())
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
FACTS = Facts(
    order="40123456",
    product_key="espresso",
    order_date=date(2026, 11, 22),
    days_ago=5,
    amount=Decimal("1249.90"),
    currency="EUR",
    carrier="DPD",
    tracking="01234567890123",
)


def templates(pack: LanguagePack) -> list[str]:
    found = [
        *pack.greetings,
        *pack.casual_greetings,
        *pack.closings,
        *pack.order_refs,
        *pack.chasers,
        *pack.chat_nudges,
        *pack.order_afterthoughts,
        *pack.phone_callbacks,
        *pack.frustration,
        *pack.phone_openers,
        *pack.short_lines,
    ]
    for skill in SKILLS:
        found += [*pack.subjects[skill], *pack.bodies[skill]]
    return found


def test_the_required_languages_are_there() -> None:
    assert set(PACKS) >= {"et", "lv", "lt", "fi", "pl", "cs", "tr", "de", "en"}
    languages = {code for market in MARKETS for code in market.languages}
    assert languages == set(PACKS), "every language a market speaks has a pack, and no more"


@pytest.mark.parametrize("pack", PACK_LIST, ids=lambda pack: pack.code)
def test_a_pack_covers_every_skill_with_and_without_an_order_number(pack: LanguagePack) -> None:
    assert set(pack.products) == set(PRODUCT_KEYS)
    for skill in SKILLS:
        assert len(pack.bodies[skill]) >= 4, skill
        assert len(pack.subjects[skill]) >= 3, skill
        assert any("{order}" not in body for body in pack.bodies[skill]), skill
        assert any("{order}" not in subject for subject in pack.subjects[skill]), skill
    assert any("{order}" not in nudge for nudge in pack.chat_nudges)
    assert any("{order}" not in chaser for chaser in pack.chasers)
    assert all("{order}" in line for line in (*pack.order_afterthoughts, *pack.phone_callbacks))


@pytest.mark.parametrize("pack", PACK_LIST, ids=lambda pack: pack.code)
@pytest.mark.parametrize("gender", ["m", "f"])
def test_every_template_fills_completely(pack: LanguagePack, gender: str) -> None:
    writer = Writer(pack, gender, "Kim", "Kim Doe")
    for template in templates(pack):
        text = fill(template, writer, FACTS)
        assert not re.search(r"[{}\[\]]", text), (pack.code, template)
        assert "lorem" not in text.lower()
        assert "todo" not in text.lower().split()


@pytest.mark.parametrize("pack", PACK_LIST, ids=lambda pack: pack.code)
def test_day_counts_have_a_form_for_every_plural_category(pack: LanguagePack) -> None:
    locale = Locale.parse(pack.locale)
    categories = {locale.plural_form(n) for n in range(1, 60)}
    assert categories <= set(pack.ago), (pack.code, categories - set(pack.ago))


@pytest.mark.parametrize("pack", PACK_LIST, ids=lambda pack: pack.code)
def test_messages_are_written_in_the_pack_s_script(pack: LanguagePack) -> None:
    writer = Writer(pack, "f", "Kim", "Kim Doe")
    bodies = " ".join(fill(body, writer, FACTS) for skill in SKILLS for body in pack.bodies[skill])
    letters = [char for char in bodies if char.isalpha()]
    cyrillic = sum(bool(CYRILLIC.match(char)) for char in letters) / len(letters)
    if pack.code in {"ru", "uk"}:
        assert cyrillic > 0.8
    else:
        assert cyrillic == 0


@pytest.mark.parametrize("pack", PACK_LIST, ids=lambda pack: pack.code)
def test_plain_typing_drops_every_special_letter(pack: LanguagePack) -> None:
    writer = Writer(pack, "f", "Kim", "Kim Doe")
    text = " ".join(fill(body, writer, FACTS) for skill in SKILLS for body in pack.bodies[skill])
    plain = plain_letters(text, pack.plain_letters)
    special = {char for key in pack.plain_letters for char in (key, key.upper())} - set(
        string.ascii_letters
    )
    assert not special & set(plain)


@pytest.mark.parametrize("market", MARKETS, ids=lambda market: market.code)
def test_customers_get_ascii_addresses_and_handles(market: Market) -> None:
    rng = random.Random(11)
    for index in range(200):
        customer = new_customer(rng, market, f"c{index}")
        local, domain = customer.email.split("@")
        assert re.fullmatch(r"[a-z0-9._]+", local), customer.email
        assert domain.endswith(".example")
        assert re.fullmatch(r"[a-z0-9_]+", customer.social_handle)
        assert customer.phone.startswith("+")


def test_turkish_shouting_keeps_the_dotted_capital_i() -> None:
    assert shout("bu kesinlikle kabul edilemez.", "tr") == "BU KESİNLİKLE KABUL EDİLEMEZ!!!"
    assert shout("\u0131l\u0131k", "tr") == "ILIK!!!"  # dotless i capitalises to I


def test_gendered_forms_agree_with_the_writer() -> None:
    polish = PACKS["pl"]
    template = "Zapomnia[[łem|łam]] podać numer zamówienia: {order}."
    assert fill(template, Writer(polish, "m", "Jan", "Jan Nowak"), FACTS).startswith("Zapomniałem")
    assert fill(template, Writer(polish, "f", "Ewa", "Ewa Nowak"), FACTS).startswith("Zapomniałam")


@given(
    words=st.lists(
        st.text(alphabet=string.ascii_letters + "äõüšž", min_size=1, max_size=12), min_size=1
    ),
    order=st.integers(min_value=10_000_000, max_value=99_999_999),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_typos_never_touch_numbers(words: list[str], order: int, seed: int) -> None:
    text = f"{' '.join(words)} {order} {' '.join(reversed(words))}"
    typed = add_typos(random.Random(seed), text)
    assert str(order) in typed
    assert abs(len(typed) - len(text)) <= len(words) * 2


@pytest.mark.parametrize("channel", list(Channel))
def test_every_channel_writes_every_language(channel: Channel) -> None:
    rng = random.Random(5)
    style = Style(frustrated=True, shouting=True, typos=True, plain_letters=True)
    for pack in PACK_LIST:
        writer = Writer(pack, "m", "Kim", "Kim Doe")
        for skill in SKILLS:
            text = first_message(rng, channel, skill, writer, facts=FACTS, style=style)
            assert text.strip()
            assert follow_up(rng, channel, writer, facts=FACTS, style=style).strip()
