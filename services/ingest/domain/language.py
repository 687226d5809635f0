"""Language detection with lingua, restricted to the configured languages.

lingua's confidence values of all candidates add up to 1. The best candidate is
reported only when it is more likely than all the others together (confidence
at least ``min_confidence``, 0.5 by default); otherwise the language is 'und'
and the candidates are still reported, so nobody mistakes a guess for a fact.
Order numbers, e-mail addresses and links say nothing about the language and
are removed first.

In 'high' accuracy, lingua's fast trigram models answer first; their answer is
kept when it is at least ``fast_path_confidence`` (0.95) confident, and every
other text (short, mixed, ambiguous) goes to the full models, whose confidence
then decides. On the labelled samples this gives the full models' answers at a
quarter of their cost.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
from lingua import LanguageDetector as LinguaDetector

UNDETERMINED = "und"

_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|\S*\d\S*")


class UnsupportedLanguageError(ValueError):
    """The config names a language lingua cannot detect."""


def supported_languages() -> frozenset[str]:
    return frozenset(language.iso_code_639_1.name.lower() for language in Language.all())


def _language(code: str) -> Language:
    try:
        return Language.from_iso_code_639_1(IsoCode639_1.from_str(code))
    except ValueError:
        raise UnsupportedLanguageError(
            f"language {code!r} is not one lingua can detect (ISO 639-1 codes such as 'en', 'et')"
        ) from None


@cache
def _lingua(codes: tuple[str, ...], accuracy: str) -> LinguaDetector:
    """Built once per process and configuration: loading the models takes seconds."""
    builder = LanguageDetectorBuilder.from_languages(*(_language(code) for code in codes))
    if accuracy == "low":
        builder = builder.with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


@dataclass(frozen=True)
class LanguageGuess:
    language: str
    confidence: float
    candidates: tuple[tuple[str, float], ...] = ()

    @property
    def determined(self) -> bool:
        return self.language != UNDETERMINED


class LanguageDetector:
    def __init__(
        self,
        languages: Sequence[str],
        *,
        accuracy: str = "high",
        fast_path_confidence: float | None = 0.95,
        min_confidence: float = 0.5,
        max_chars: int = 600,
    ) -> None:
        codes = tuple(sorted(set(languages)))
        for code in codes:
            _language(code)  # fail at start, not on the first message
        self.languages = codes
        self.accuracy = accuracy
        self.fast_path_confidence = fast_path_confidence if accuracy == "high" else None
        self.min_confidence = min_confidence
        self.max_chars = max_chars

    def warm_up(self) -> None:
        """Load the models now rather than on the first message."""
        if len(self.languages) > 1:
            _lingua(self.languages, self.accuracy)
            if self.fast_path_confidence is not None:
                _lingua(self.languages, "low")

    def _confidences(self, sample: str) -> tuple[tuple[str, float], ...]:
        def top(accuracy: str) -> tuple[tuple[str, float], ...]:
            values = _lingua(self.languages, accuracy).compute_language_confidence_values(sample)
            return tuple(
                (value.language.iso_code_639_1.name.lower(), round(value.value, 4))
                for value in values[:3]
                if value.value > 0
            )

        if self.fast_path_confidence is not None:
            fast = top("low")
            if fast and fast[0][1] >= self.fast_path_confidence:
                return fast
        return top(self.accuracy)

    def detect(self, text: str) -> LanguageGuess:
        sample = _NOISE.sub(" ", text[: self.max_chars])
        if not any(ch.isalpha() for ch in sample):
            return LanguageGuess(UNDETERMINED, 0.0)
        if len(self.languages) == 1:
            return LanguageGuess(self.languages[0], 1.0, ((self.languages[0], 1.0),))
        candidates = self._confidences(sample)
        if not candidates or candidates[0][1] < self.min_confidence:
            best = candidates[0][1] if candidates else 0.0
            return LanguageGuess(UNDETERMINED, best, candidates)
        return LanguageGuess(candidates[0][0], candidates[0][1], candidates)
