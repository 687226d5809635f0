"""Random ids in the shapes real systems use, drawn from a seeded generator."""

from __future__ import annotations

import random
import re
import string
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")

#: Letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSABLE = {
    "ł": "l",
    "\u0131": "i",  # Turkish dotless i
    "ß": "ss",
    "ø": "o",
    "đ": "d",
    "æ": "ae",
    "œ": "oe",
}


_RUN = re.compile(r"#+|.")


def fill_pattern(rng: random.Random, pattern: str) -> str:
    """``#`` -> digit, ``@`` -> upper-case letter, ``%`` -> lower-case hex digit."""
    out: list[str] = []
    for match in _RUN.finditer(pattern):
        token = match.group()
        if token[0] == "#":
            out.append(f"{rng.randrange(10 ** len(token)):0{len(token)}d}")
        elif token == "@":
            out.append(rng.choice(string.ascii_uppercase))
        elif token == "%":
            out.append(f"{rng.getrandbits(4):x}")
        else:
            out.append(token)
    return "".join(out)


def hex_id(rng: random.Random, length: int = 16) -> str:
    return f"{rng.getrandbits(4 * length):0{length}x}"


def weighted_choice(rng: random.Random, weights: Mapping[T, float]) -> T:
    """One key of ``weights``, drawn with probability proportional to its weight.

    Keys are taken in the mapping's order, so the draw is reproducible."""
    keys: Sequence[T] = list(weights)
    return rng.choices(keys, weights=[weights[key] for key in keys], k=1)[0]


def ascii_fold(text: str, romanised: Mapping[str, str] | None = None) -> str:
    """Lower-case ASCII letters and digits only, as an e-mail address or handle would have."""
    if romanised and text in romanised:
        text = romanised[text]
    text = "".join(_UNDECOMPOSABLE.get(char, char) for char in text.lower())
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())
