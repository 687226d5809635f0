"""An e-mail's own words: HTML converted to text, quoted replies and signatures removed.

HTML goes through inscriptis (Apache-2.0; html2text was not used because it is
GPL-3.0 and writes Markdown). Replies and signatures are cut with
mail-parser-reply, which knows the "On ... wrote:" headers and sign-offs of
en, de, fr, es, it, nl, sv, pl, cs, da and more; for the other languages it
still cuts at quoted ``>`` blocks, Outlook separators and "Sent from my ..."
lines. When cutting would leave nothing (a message that is all quote), the
whole text is kept: a reply is never silently emptied.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from inscriptis import get_text
from inscriptis.model.config import ParserConfig
from mailparser_reply.constants import MAIL_LANGUAGES
from mailparser_reply.parser import EmailMessage

_HTML = ParserConfig(display_links=False, display_images=False)


def html_to_text(html: str) -> str:
    return str(get_text(html, _HTML)).strip()


@cache
def _patterns(languages: tuple[str, ...]) -> dict[str, re.Pattern[str]]:
    """mail-parser-reply's three patterns for these languages, built once.

    The library builds them again for every message (a third of its time on a short
    mail); its message takes them ready-made as constructor fields.
    """
    prototype = EmailMessage(text="", languages=list(languages))
    return {
        "_header_regex": prototype.HEADER_REGEX,
        "_disclaimers_regex": prototype.DISCLAIMERS_REGEX,
        "_signature_regex": prototype.SIGNATURE_REGEX,
    }


def latest_reply(text: str, languages: Sequence[str]) -> str:
    """The newest part of the mail, without the quoted history and the signature."""
    known = tuple(language for language in languages if language in MAIL_LANGUAGES) or ("en",)
    message = EmailMessage(text=text, languages=list(known), **_patterns(known)).read()
    body = str(message.replies[0].body).strip() if message.replies else ""
    return body or text.strip()


def email_text(text: str, html: str | None, languages: Sequence[str]) -> str:
    plain = text if text.strip() else html_to_text(html or "")
    return latest_reply(plain, languages) if plain.strip() else ""
