"""Customer messages put together from a language pack: greeting, body, closing,
then typed the way people type."""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, match_skeleton
from babel.numbers import format_currency

from schemas.base import Channel
from switchboard.simulator.data.markets import SHOP_NAME
from switchboard.simulator.style import add_typos, capitalise, plain_letters, shout
from switchboard.simulator.texts import LanguagePack

_GENDERED = re.compile(r"\[\[([^|\]]*)\|([^\]]*)\]\]")
#: Narrow and ordinary no-break spaces in CLDR formats: customers type plain spaces.
_NBSP = str.maketrans({"\u00a0": " ", "\u202f": " "})
_QUOTES = str.maketrans("", "", '„“”«»"')


@dataclass(frozen=True)
class Writer:
    pack: LanguagePack
    gender: str
    first_name: str
    name: str


@dataclass(frozen=True)
class Facts:
    """What the message is about; the same for every message of one thread."""

    order: str | None
    product_key: str
    order_date: date
    days_ago: int
    amount: Decimal
    currency: str
    carrier: str
    tracking: str


@dataclass(frozen=True)
class Style:
    typos: bool = False
    plain_letters: bool = False
    frustrated: bool = False
    shouting: bool = False
    #: A line in another language the writer adds, already chosen.
    foreign_line: str | None = None


@functools.cache
def _locale(name: str) -> Locale:
    return Locale.parse(name)


@functools.cache
def _date_pattern(locale: str, skeleton: str) -> str:
    """The locale's pattern for a CLDR skeleton (matching it is slow, so done once)."""
    available = _locale(locale).datetime_skeletons
    matched = match_skeleton(skeleton, available) or skeleton
    return str(available[matched]) if matched in available else skeleton


class _Slots(dict[str, str]):
    """Template slots, formatted only when a template uses them."""

    def __init__(self, writer: Writer, facts: Facts) -> None:
        super().__init__(order=facts.order or "", first=writer.first_name, name=writer.name)
        self.writer = writer
        self.facts = facts

    def __missing__(self, key: str) -> str:
        pack, facts = self.writer.pack, self.facts
        if key == "product":
            return pack.products[facts.product_key]
        if key == "date":
            pattern = _date_pattern(pack.locale, pack.date_skeleton)
            return format_date(facts.order_date, pattern, locale=pack.locale)
        if key == "ago":
            plural = _locale(pack.locale).plural_form(facts.days_ago)
            return pack.ago.get(plural, pack.ago["other"]).format(n=facts.days_ago)
        if key == "amount":
            money = format_currency(facts.amount, facts.currency, locale=pack.locale)
            return money.translate(_NBSP)
        if key == "carrier":
            return facts.carrier
        if key == "tracking":
            return facts.tracking
        raise KeyError(key)


def fill(template: str, writer: Writer, facts: Facts) -> str:
    """The template with the writer's gender forms and the facts filled in."""
    gendered = _GENDERED.sub(lambda m: m.group(1 if writer.gender == "m" else 2), template)
    return gendered.format_map(_Slots(writer, facts))


def _pick(rng: random.Random, templates: tuple[str, ...], has_order: bool) -> str:
    usable = templates if has_order else tuple(t for t in templates if "{order}" not in t)
    return rng.choice(usable or templates)


def _body(rng: random.Random, skill: str, writer: Writer, facts: Facts) -> str:
    pack = writer.pack
    template = _pick(rng, pack.bodies[skill], facts.order is not None)
    body = fill(template, writer, facts)
    if facts.order is not None and "{order}" not in template:
        body = f"{body}\n{fill(rng.choice(pack.order_refs), writer, facts)}"
    return body


def subject(rng: random.Random, skill: str, writer: Writer, facts: Facts) -> str:
    return fill(_pick(rng, writer.pack.subjects[skill], facts.order is not None), writer, facts)


def reply_subject(writer: Writer, original: str) -> str:
    return f"{writer.pack.reply_prefix}{original}"


def _after_greeting(greeting: str, text: str, pack: LanguagePack) -> str:
    if greeting.endswith(",") and pack.lower_after_greeting_comma:
        return text
    return capitalise(text, pack.code)


def _letter(rng: random.Random, writer: Writer, main: str, style: Style) -> str:
    """An e-mail or marketplace message: greeting, text, closing."""
    pack = writer.pack
    greeting = rng.choice(pack.greetings)
    parts = [greeting, _after_greeting(greeting, main, pack)]
    if style.frustrated:
        parts.append(_frustration(rng, writer, style))
    parts.append(fill(rng.choice(pack.closings), writer, _NO_FACTS))
    return "\n\n".join(parts)


def _frustration(rng: random.Random, writer: Writer, style: Style) -> str:
    line = fill(rng.choice(writer.pack.frustration), writer, _NO_FACTS)
    return shout(line, writer.pack.code) if style.shouting else line


def _short(rng: random.Random, writer: Writer, main: str, style: Style) -> str:
    """A chat line, a social post or a direct message: no closing, maybe a greeting."""
    pack = writer.pack
    text = capitalise(main, pack.code)
    if style.frustrated:
        text = f"{text} {_frustration(rng, writer, style)}"
    if rng.random() < 0.5:
        text = f"{rng.choice(pack.casual_greetings)}\n{text}"
    return text


def _transcript(rng: random.Random, writer: Writer, main: str, style: Style) -> str:
    """What the speech recogniser wrote down: spoken openers, fillers, no quotes."""
    pack = writer.pack
    spoken = main.translate(_QUOTES)
    if style.frustrated:
        spoken = f"{spoken} {fill(rng.choice(pack.frustration), writer, _NO_FACTS)}"
    # German nouns keep their capitals in a transcript; other languages start lower case.
    spoken = spoken[:1].lower() + spoken[1:] if pack.code != "de" else spoken
    filler = rng.choice(pack.fillers)
    return f"{rng.choice(pack.phone_openers)} {filler} {spoken}"


def _typed(rng: random.Random, text: str, writer: Writer, style: Style) -> str:
    if style.foreign_line:
        text = f"{text}\n{style.foreign_line}"
    if style.plain_letters:
        text = plain_letters(text, writer.pack.plain_letters)
    if style.typos:
        text = add_typos(rng, text)
    return text


def first_message(
    rng: random.Random,
    channel: Channel,
    skill: str,
    writer: Writer,
    *,
    facts: Facts,
    style: Style,
    public_post: bool = False,
) -> str:
    """The text of the message that opens a conversation."""
    main = _body(rng, skill, writer, facts)
    if channel is Channel.PHONE:
        return _transcript(rng, writer, main, style)
    if style.shouting and channel in (Channel.CHAT, Channel.SOCIAL):
        # In a chat window or a post, anger is the whole message in capitals.
        main = shout(main, writer.pack.code)
    if channel in (Channel.EMAIL, Channel.MARKETPLACE):
        text = _letter(rng, writer, main, style)
    else:
        text = _short(rng, writer, main, style)
        if public_post:
            text = f"@{SHOP_NAME} {text}"
    return _typed(rng, text, writer, style)


def follow_up(
    rng: random.Random,
    channel: Channel,
    writer: Writer,
    *,
    facts: Facts,
    style: Style,
    afterthought: bool = False,
) -> str:
    """A later message in the same thread: a chaser, the next chat line, the order
    number the first message lacked (``afterthought``), or a caller calling again."""
    pack = writer.pack
    has_order = facts.order is not None
    if channel is Channel.PHONE:
        main = fill(rng.choice(pack.phone_callbacks), writer, facts)
        return _transcript(rng, writer, main, style)
    if channel is Channel.CHAT:
        if afterthought:
            template = rng.choice(pack.order_afterthoughts)
        else:
            templates = pack.chat_nudges if rng.random() < 0.6 else pack.chasers
            template = _pick(rng, templates, has_order)
        text = fill(template, writer, facts)
        if style.frustrated:
            text = f"{capitalise(text, pack.code)} {_frustration(rng, writer, style)}"
        return _typed(rng, text, writer, style)
    template = pack.order_afterthoughts[0] if afterthought else _pick(rng, pack.chasers, has_order)
    main = fill(template, writer, facts)
    if channel in (Channel.EMAIL, Channel.MARKETPLACE):
        text = _letter(rng, writer, main, style)
    else:
        text = _short(rng, writer, main, style)
    return _typed(rng, text, writer, style)


#: Facts for templates that use only the writer (closings, frustration lines).
_NO_FACTS = Facts(
    order=None,
    product_key="jacket",
    order_date=date(2000, 1, 1),
    days_ago=1,
    amount=Decimal(0),
    currency="EUR",
    carrier="",
    tracking="",
)
