"""Skill classification: scores, evidence, alternatives, default, IVR, language scope."""

from __future__ import annotations

from schemas.config.ingest import IngestConfig
from services.ingest.domain.skills import SkillClassifier
from services.ingest.domain.text import Words

CONFIG = IngestConfig(
    languages=["en", "pl"],
    skill_keywords={
        "orders_shipping": {"en": ["parcel", "not arrived"], "pl": ["paczk*"], "any": ["dhl"]},
        "returns_refunds": {"en": ["refund*", "return"], "pl": ["zwrot*"]},
        "payments_billing": {"en": ["invoice"]},
    },
    ivr_skills={"3": "payments_billing"},
)
CLASSIFIER = SkillClassifier(CONFIG)


def test_the_best_covered_skill_wins_with_its_evidence_and_the_alternatives() -> None:
    decision = CLASSIFIER.classify(Words("My parcel has not arrived, or refund me"), "en")
    assert decision.skill == "orders_shipping"
    assert decision.score == 3  # parcel + "not arrived"
    assert decision.evidence == ("parcel", "not arrived")
    assert [(a.skill, a.score, a.evidence) for a in decision.alternatives] == [
        ("returns_refunds", 1.0, ["refund*"])
    ]
    assert decision.matched


def test_equal_scores_go_to_the_skill_listed_first_in_the_taxonomy() -> None:
    decision = CLASSIFIER.classify(Words("invoice for the return"), "en")
    assert decision.skill == "returns_refunds"  # listed before payments_billing
    assert decision.alternatives[0].skill == "payments_billing"


def test_no_evidence_gives_the_default_skill_and_says_so() -> None:
    decision = CLASSIFIER.classify(Words("hello?"), "en")
    assert decision.skill == CONFIG.default_skill
    assert not decision.matched
    assert decision.score == 0
    assert decision.evidence == ("no keyword matched: default skill",)


def test_only_the_detected_language_and_any_apply() -> None:
    # 'zwrot' is a Polish keyword: an English text does not trigger it.
    assert CLASSIFIER.classify(Words("zwrot please via DHL"), "en").skill == "orders_shipping"
    assert CLASSIFIER.classify(Words("zwrot please"), "pl").skill == "returns_refunds"


def test_an_undetermined_language_tries_every_language() -> None:
    decision = CLASSIFIER.classify(Words("paczka"), "und")
    assert decision.skill == "orders_shipping"


def test_the_phone_menu_choice_counts_as_evidence() -> None:
    decision = CLASSIFIER.classify(Words("hello I have a question"), "en", ivr_choice="3")
    assert decision.skill == "payments_billing"
    assert decision.evidence == ("ivr choice 3",)
    assert decision.score == CONFIG.ivr_weight
