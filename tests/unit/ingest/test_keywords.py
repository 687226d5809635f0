"""Keyword rules: stems, folded diacritics, prefixes, phrases, and coverage scoring."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from services.ingest.domain.keywords import KeywordError, KeywordRules, coverage
from services.ingest.domain.text import Words, fold, stemmer, words


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


_WORD_OF_AB = st.text(alphabet="abé", min_size=1, max_size=5)
_KEYWORD = st.tuples(st.lists(_WORD_OF_AB, min_size=1, max_size=2), st.booleans()).map(
    lambda spec: " ".join(spec[0]) + ("*" if spec[1] else "")
)


def _first_matches(
    language: str, keywords: dict[str, list[str]], text: str
) -> list[tuple[str, str, int, int]]:
    """The module's definition, tried the slow way: every keyword at every position."""
    found = []
    tokens = Words(text).words
    keys = Words(text).stems(language)
    stem = stemmer(language)
    for label, written_keywords in keywords.items():
        for written in written_keywords:
            parts = []
            for chunk in written.split():
                chunk_words = words(chunk.rstrip("*"))
                for index, word in enumerate(chunk_words):
                    prefix = chunk.endswith("*") and index == len(chunk_words) - 1
                    parts.append((word if prefix or stem is None else stem([word])[0], prefix))
            for start in range(len(tokens) - len(parts) + 1):
                if all(
                    tokens[start + i].startswith(part) if prefix else keys[start + i] == part
                    for i, (part, prefix) in enumerate(parts)
                ):
                    found.append((label, written, start, start + len(parts)))
                    break
    return sorted(found)


@given(
    st.sampled_from(["en", "lv"]),
    st.dictionaries(st.sampled_from("xyz"), st.lists(_KEYWORD, min_size=1, max_size=4)),
    st.lists(_WORD_OF_AB, max_size=12).map(" ".join),
)
def test_find_returns_the_first_match_of_every_keyword_in_text_order(
    language: str, keywords: dict[str, list[str]], text: str
) -> None:
    try:
        rules = KeywordRules(language, keywords)
    except KeywordError:
        assume(False)
    found = rules.find(Words(text))
    assert sorted((m.label, m.keyword, m.start, m.end) for m in found) == _first_matches(
        language, keywords, text
    )
    assert [m.start for m in found] == sorted(m.start for m in found)
