"""Skill classification: the configured keywords of the message's language, scored.

Each skill's score is the number of words of the text its keywords cover (a
two-word phrase scores 2), plus ``ivr_weight`` when the caller chose the skill in
the phone menu. The best score wins;
on equal scores the skill listed first in the taxonomy wins. With no evidence
at all the default skill is used and the decision says so. Rules of the
detected language apply, plus language-neutral ones (``any``); when the
language is undetermined, the rules of every configured language apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from schemas.config.ingest import IngestConfig
from schemas.tickets import SkillScore
from services.ingest.domain.keywords import KeywordRules, Match, coverage
from services.ingest.domain.language import UNDETERMINED
from services.ingest.domain.text import Words

ANY_LANGUAGE = "any"


@dataclass(frozen=True)
class SkillDecision:
    skill: str
    score: float
    evidence: tuple[str, ...]
    alternatives: tuple[SkillScore, ...] = ()
    #: False when nothing matched and the default skill was used.
    matched: bool = True


def keyword_rules_by_language(
    keywords_by_label: dict[str, dict[str, list[str]]], languages: Sequence[str]
) -> dict[str, KeywordRules]:
    """Label -> language -> keywords, regrouped and compiled per language."""
    by_language: dict[str, dict[str, list[str]]] = {}
    for label, per_language in keywords_by_label.items():
        for language, keywords in per_language.items():
            if language == ANY_LANGUAGE or language in languages:
                by_language.setdefault(language, {})[label] = keywords
    return {language: KeywordRules(language, rules) for language, rules in by_language.items()}


class SkillClassifier:
    def __init__(self, config: IngestConfig) -> None:
        self._order = {skill: index for index, skill in enumerate(config.skills)}
        self._default = config.default_skill
        self._rules = keyword_rules_by_language(config.skill_keywords, config.languages)
        self._every_rules = tuple(self._rules.values())
        self._ivr = {choice.strip().lower(): skill for choice, skill in config.ivr_skills.items()}
        self._ivr_weight = config.ivr_weight

    def _rules_for(self, language: str) -> tuple[KeywordRules, ...]:
        if language == UNDETERMINED:
            return self._every_rules
        return tuple(
            rules for key in (language, ANY_LANGUAGE) if (rules := self._rules.get(key)) is not None
        )

    def classify(self, text: Words, language: str, ivr_choice: str | None = None) -> SkillDecision:
        scores: dict[str, float] = {}
        evidence: dict[str, list[str]] = {}
        matches: list[Match] = []
        for rules in self._rules_for(language):
            matches += rules.find(text)
        for label, positions in coverage(matches).items():
            scores[label] = float(len(positions))
        for match in matches:
            evidence.setdefault(match.label, []).append(match.evidence)
        ivr_skill = self._ivr.get((ivr_choice or "").strip().lower())
        if ivr_skill is not None and self._ivr_weight > 0:
            scores[ivr_skill] = scores.get(ivr_skill, 0.0) + self._ivr_weight
            evidence.setdefault(ivr_skill, []).append(f"ivr choice {ivr_choice}")
        if not scores:
            return SkillDecision(
                skill=self._default,
                score=0.0,
                evidence=("no keyword matched: default skill",),
                matched=False,
            )
        order = self._order
        ranked = sorted(scores, key=lambda skill: (-scores[skill], order.get(skill, len(order))))
        best = ranked[0]
        return SkillDecision(
            skill=best,
            score=scores[best],
            evidence=tuple(evidence[best]),
            alternatives=tuple(
                SkillScore(skill=skill, score=scores[skill], evidence=evidence[skill])
                for skill in ranked[1:]
            ),
        )
