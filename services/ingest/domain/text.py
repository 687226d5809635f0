"""Words of a message as the keyword rules see them: case and diacritics folded.

Customers often type without their keyboard's diacritics ("zamowienie" for
"zamówienie", "siparis" for "sipariş"), so both the text and the keywords are
folded the same way before they are compared.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache

import Stemmer

#: Letters Unicode does not decompose into a base letter and a combining mark
#: (Polish l with stroke, Turkish dotless i, Nordic o with stroke, ...).
_UNDECOMPOSABLE = str.maketrans(
    {"\u0142": "l", "\u0131": "i", "\u00f8": "o", "\u0111": "d", "\u0127": "h", "\u0140": "l"}
)
_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]")
_WORD = re.compile(r"[^\W\d_]+")

#: ISO 639-1 -> Snowball algorithm name, for the languages Snowball has a stemmer for.
SNOWBALL = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nl": "dutch",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}

Stem = Callable[[Sequence[str]], list[str]]


def fold(text: str) -> str:
    """Lower case without diacritics: 'Zwrócić' -> 'zwrocic', 'Sipariş' -> 'siparis'.

    Compatibility forms are folded too (NFKD before and after case folding), so
    'ﬁ' or a mathematical bold letter read as the plain letters.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return _COMBINING_MARKS.sub("", decomposed).translate(_UNDECOMPOSABLE)


def words(text: str) -> list[str]:
    """Folded words; numbers (order ids, amounts) and punctuation are not words."""
    return _WORD.findall(fold(text))


@cache
def stemmer(language: str) -> Stem | None:
    """The Snowball stemmer of ``language`` (PyStemmer), or None where Snowball has none."""
    algorithm = SNOWBALL.get(language)
    if algorithm is None:
        return None
    stem: Stem = Stemmer.Stemmer(algorithm).stemWords
    return stem


class Words:
    """The words of one text, with their stems computed once per language."""

    __slots__ = ("_stems", "words")

    def __init__(self, text: str) -> None:
        self.words = words(text)
        self._stems: dict[str, list[str]] = {}

    def stems(self, language: str) -> list[str]:
        stems = self._stems.get(language)
        if stems is None:
            stem = stemmer(language)
            stems = stem(self.words) if stem is not None else self.words
            self._stems[language] = stems
        return stems
