"""How people actually type: missing diacritics, typos, capitals when angry."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping

#: Words that typos may touch: letters only, at least four of them.
_WORD = re.compile(r"\b[^\W\d_]{4,}\b")


def plain_letters(text: str, letters: Mapping[str, str]) -> str:
    """``text`` as typed on a keyboard without the language's special letters."""
    if not letters:
        return text
    out: list[str] = []
    for char in text:
        replacement = letters.get(char)
        if replacement is None and char.lower() in letters and char.lower() != char:
            lowered = letters[char.lower()]
            replacement = lowered[:1].upper() + lowered[1:]
        out.append(char if replacement is None else replacement)
    return "".join(out)


def _typo(rng: random.Random, word: str) -> str:
    position = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:  # two letters swapped
        return word[: position - 1] + word[position] + word[position - 1] + word[position + 1 :]
    if kind == 1:  # a letter left out
        return word[:position] + word[position + 1 :]
    return word[:position] + word[position] + word[position:]  # a letter doubled


def add_typos(rng: random.Random, text: str, per_word: float = 0.06) -> str:
    """A few slips of the finger; at least one if the text has a word long enough."""
    words = list(_WORD.finditer(text))
    if not words:
        return text
    chosen = {match.start() for match in words if rng.random() < per_word}
    if not chosen:
        chosen = {rng.choice(words).start()}
    out: list[str] = []
    cursor = 0
    for match in words:
        if match.start() in chosen:
            out.append(text[cursor : match.start()])
            out.append(_typo(rng, match.group()))
            cursor = match.end()
    out.append(text[cursor:])
    return "".join(out)


def upper(text: str, language: str) -> str:
    """Upper case that knows Turkish dotted and dotless i."""
    if language == "tr":
        # Turkish i has a dotted capital (U+0130); dotless i (U+0131) becomes plain I.
        text = text.replace("i", "\u0130").replace("\u0131", "I")
    return text.upper()


def capitalise(text: str, language: str) -> str:
    """The first letter in upper case, the rest as written."""
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + upper(char, language) + text[index + 1 :]
    return text


def shout(text: str, language: str) -> str:
    """ALL CAPS, and more exclamation marks."""
    loud = upper(text, language)
    return re.sub(r"[.!]+$", "!!!", loud) if loud.rstrip()[-1:] in ".!" else loud + "!!!"
