"""What a language pack holds: the pieces customer messages are put together from.

Templates are ``str.format`` strings over these slots: ``{order}`` (order
number), ``{product}`` (a catalogue title, placed where its grammatical case
does not change), ``{date}`` (the order date), ``{ago}`` (how many days ago,
with the language's plural form), ``{amount}`` (money, formatted for the
locale), ``{carrier}``, ``{tracking}``, ``{first}`` and ``{name}`` (the
writer). ``[[masculine|feminine]]`` picks the form that agrees with the
writer, for languages whose verbs or adjectives agree with the speaker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PRODUCT_KEYS: tuple[str, ...] = (
    "jacket",
    "smartwatch",
    "espresso",
    "robot_vacuum",
    "air_fryer",
    "gaming_mouse",
    "backpack",
    "bedding",
    "toothbrush",
    "tablet",
    "desk_lamp",
)


@dataclass(frozen=True)
class LanguagePack:
    code: str
    #: Babel locale: dates, money and plural rules.
    locale: str
    #: CLDR skeleton for the order date, chosen so the result reads right in the templates.
    date_skeleton: str
    greetings: tuple[str, ...]
    casual_greetings: tuple[str, ...]
    closings: tuple[str, ...]
    subjects: dict[str, tuple[str, ...]]
    bodies: dict[str, tuple[str, ...]]
    #: A line naming the order, for when the body does not.
    order_refs: tuple[str, ...]
    #: Written again in the same thread because no answer came.
    chasers: tuple[str, ...]
    #: The next lines of a chat conversation.
    chat_nudges: tuple[str, ...]
    #: The order number, sent after a first message that lacked it (a sentence, a chat line).
    order_afterthoughts: tuple[str, ...]
    #: What a caller says when calling again about the same order.
    phone_callbacks: tuple[str, ...]
    frustration: tuple[str, ...]
    phone_openers: tuple[str, ...]
    fillers: tuple[str, ...]
    #: Short lines a speaker of another language may drop into their message.
    short_lines: tuple[str, ...]
    #: Plural category (CLDR) -> "{n} days ago".
    ago: dict[str, str]
    reply_prefix: str
    #: How people type the language without its special letters.
    plain_letters: dict[str, str]
    first_names_male: tuple[str, ...]
    first_names_female: tuple[str, ...]
    #: (masculine, feminine) forms of each surname.
    surnames: tuple[tuple[str, str], ...]
    products: dict[str, str]
    #: Latin spelling of names in other scripts, for e-mail addresses and handles.
    latin: dict[str, str] = field(default_factory=dict)
    #: German letters go on in lower case after "Hallo," (the templates are written so).
    lower_after_greeting_comma: bool = False
