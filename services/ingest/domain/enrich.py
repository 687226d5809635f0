"""What ingest learns about a new message: language, skill, needs, priority signals."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.base import CustomerTier
from schemas.config.ingest import IngestConfig
from schemas.ingest import NormalisedMessage
from services.ingest.domain.language import LanguageDetector, LanguageGuess
from services.ingest.domain.priority import PrioritySignals, Signal
from services.ingest.domain.skills import SkillClassifier, SkillDecision
from services.ingest.domain.text import Words


@dataclass(frozen=True)
class Classification:
    language: LanguageGuess
    skill: SkillDecision
    needs: tuple[str, ...]
    tier: CustomerTier
    signals: tuple[Signal, ...]


def message_text(message: NormalisedMessage) -> str:
    """What the classifiers read: the subject, if any, then the body."""
    return f"{message.subject}\n{message.text}" if message.subject else message.text


class Enricher:
    """Built once per process from the config (the language models are large)."""

    def __init__(self, config: IngestConfig, detector: LanguageDetector | None = None) -> None:
        self.config = config
        self.detector = detector or LanguageDetector(
            config.languages,
            accuracy=config.language_detection.accuracy,
            fast_path_confidence=config.language_detection.fast_path_confidence,
            min_confidence=config.language_detection.min_confidence,
            max_chars=config.language_detection.max_chars,
        )
        self.skills = SkillClassifier(config)
        self.priority = PrioritySignals(config.priority, config.languages)

    def warm_up(self) -> None:
        self.detector.warm_up()

    def classify(
        self, message: NormalisedMessage, tier: tuple[CustomerTier, str]
    ) -> Classification:
        text = message_text(message)
        language = self.detector.detect(text)
        words = Words(text)
        skill = self.skills.classify(words, language.language, message.ivr_choice)
        return Classification(
            language=language,
            skill=skill,
            needs=tuple(self.config.channel_needs.get(message.channel, ())),
            tier=tier[0],
            signals=tuple(self.priority.of_message(message, words, language.language, tier)),
        )

    def frustration(self, text: str, language: str) -> Signal | None:
        return self.priority.frustration(Words(text), text, language)


@dataclass(frozen=True)
class CustomerClassifier:
    """The enricher with one customer's tier bound, as the threader calls it."""

    enricher: Enricher
    tier: tuple[CustomerTier, str]

    def classify(self, message: NormalisedMessage) -> Classification:
        return self.enricher.classify(message, self.tier)

    def frustration(self, text: str, language: str) -> Signal | None:
        return self.enricher.frustration(text, language)
