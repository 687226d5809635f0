"""Keyword rules: stems, folded diacritics, prefixes, phrases, and coverage scoring."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.ingest.domain.keywords import KeywordError, KeywordRules, coverage
from services.ingest.domain.text import Words, fold, words


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Zwrócić", "zwrocic"),
        ("Sipariş", "siparis"),
        ("PŁATNOŚĆ", "platnosc"),
        ("\u0131rmak", "irmak"),  # Turkish dotless i does not decompose
        ("Straße", "strasse"),
        ("Objednávka", "objednavka"),
        ("ёлка й", "елка и"),
        ("plain ascii", "plain ascii"),
    ],
)
def test_fold_removes_case_and_diacritics(written: str, expected: str) -> None:
    assert fold(written) == expected


def test_words_drop_numbers_and_punctuation() -> None:
    assert words("Order #4711-B arrived?! l'adresse") == ["order", "b", "arrived", "l", "adresse"]


@pytest.mark.parametrize(
    ("language", "keyword", "text", "matches"),
    [
        ("en", "refund", "I was refunded twice", True),  # same Snowball stem
        ("en", "refund", "refunding", True),
        ("en", "refund", "refurbished", False),
        ("pl", "zamówienie", "moje zamowieniu", True),  # no diacritics, other case ending
        ("pl", "przesyłk*", "gdzie jest przesylka", True),  # prefix on the folded word
        ("cs", "vrác*", "vraceni penez", True),
        ("tr", "kargo*", "kargom nerede", True),
        ("lv", "piegād*", "piegade kavejas", True),  # no stemmer: prefix
        ("lv", "paka", "pakas", False),  # no stemmer, no star: the word itself only
        ("en", "not arrived", "it has not arrived yet", True),
        ("en", "not arrived", "not yet arrived", False),  # a phrase's words are adjacent
        ("de", "wo bleibt", "Wo bleibt mein Paket?", True),
        ("uk", "кур'єр*", "кур'єром не доставлено", True),  # apostrophe splits the word
        ("en", "tracking number", "tracking", False),  # a phrase needs all its words
    ],
)
def test_keyword_matching(language: str, keyword: str, text: str, matches: bool) -> None:
    rules = KeywordRules(language, {"label": [keyword]})
    assert bool(rules.find(Words(text))) is matches


def test_a_match_names_the_keyword_and_the_words_it_matched() -> None:
    rules = KeywordRules("pl", {"orders": ["przesyłk*"], "returns": ["zwrot pieniędzy"]})
    found = rules.find(Words("Przesylka nie doszła, chcę zwrot pieniedzy"))
    assert [(m.label, m.keyword, m.matched) for m in found] == [
        ("orders", "przesyłk*", "przesylka"),
        ("returns", "zwrot pieniędzy", "zwrot pieniedzy"),
    ]
    assert found[0].evidence == "przesyłk* (przesylka)"


def test_coverage_counts_each_word_once_per_label() -> None:
    rules = KeywordRules("en", {"r": ["refund", "refund*", "my refund"], "o": ["parcel"]})
    covered = coverage(rules.find(Words("where is my refund for the parcel")))
    assert {label: len(positions) for label, positions in covered.items()} == {"r": 2, "o": 1}


@pytest.mark.parametrize("bad", ["123", "***", "ab*", "x*"])
def test_keywords_that_cannot_work_are_refused(bad: str) -> None:
    with pytest.raises(KeywordError):
        KeywordRules("en", {"label": [bad]})


@given(st.text(max_size=200))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text(max_size=300))
def test_matching_any_text_never_fails(text: str) -> None:
    rules = KeywordRules("pl", {"a": ["zwrot*", "nie dotarła", "paczka"], "b": ["błąd"]})
    for match in rules.find(Words(text)):
        assert 0 <= match.start < match.end <= len(Words(text).words)
