"""Keyword and phrase rules of one language, compiled once and matched against a text.

A keyword is one or more words. A word matches a word of the text with the same
Snowball stem (or the same folded word where the language has no stemmer);
a word written with a trailing ``*`` matches every word starting with it. A
phrase matches its words in a row. A label's score is the number of words of the
text its keywords cover: "not arrived" says more than "arrived", and two keywords
that match the same word (``refund`` and ``refund*``) count it once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from services.ingest.domain.text import Words, stemmer, words

#: A keyword's first word, as a prefix, must be this long, or it would match half the
#: dictionary (later words of a phrase may be shorter: the phrase narrows them).
MIN_PREFIX = 3


class KeywordError(ValueError):
    """A keyword that cannot match anything (no letters, or a too short prefix)."""


@dataclass(frozen=True)
class _Part:
    text: str  # stem, folded word, or folded prefix
    prefix: bool


@dataclass(frozen=True)
class _Keyword:
    label: str
    written: str
    parts: tuple[_Part, ...]


@dataclass(frozen=True)
class Match:
    label: str
    keyword: str
    matched: str
    start: int
    end: int

    @property
    def evidence(self) -> str:
        return (
            self.keyword
            if self.matched == self.keyword.rstrip("*")
            else (f"{self.keyword} ({self.matched})")
        )


class KeywordRules:
    """Labelled keywords of one language (``any``: no stemming)."""

    def __init__(self, language: str, keywords: Mapping[str, Iterable[str]]) -> None:
        self.language = language
        self._stem = stemmer(language)
        self._exact: dict[str, list[_Keyword]] = defaultdict(list)
        self._prefixes: dict[int, dict[str, list[_Keyword]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for label, written_keywords in keywords.items():
            for written in written_keywords:
                keyword = self._compile(label, written)
                first = keyword.parts[0]
                if first.prefix:
                    self._prefixes[len(first.text)][first.text].append(keyword)
                else:
                    self._exact[first.text].append(keyword)
        self._prefix_tables = [(n, dict(self._prefixes[n])) for n in sorted(self._prefixes)]
        # Every prefix starts with one of these (a first word's prefix has MIN_PREFIX
        # letters or more): most words of a text skip the prefix tables at once.
        self._prefix_heads = frozenset(
            text[:MIN_PREFIX] for by_prefix in self._prefixes.values() for text in by_prefix
        )
        # Counted once: ``if rules`` calls ``__len__`` on every lookup.
        self._count = sum(len(v) for v in self._exact.values()) + sum(
            len(v) for by_prefix in self._prefixes.values() for v in by_prefix.values()
        )

    def __len__(self) -> int:
        return self._count

    def _compile(self, label: str, written: str) -> _Keyword:
        parts: list[_Part] = []
        for chunk in written.split():
            is_prefix = chunk.endswith("*")
            chunk_words = words(chunk.rstrip("*"))
            if not chunk_words:
                raise KeywordError(f"{self.language} keyword {written!r} has no letters")
            for index, word in enumerate(chunk_words):
                last = index == len(chunk_words) - 1
                if is_prefix and last:
                    if not parts and len(word) < MIN_PREFIX:
                        raise KeywordError(
                            f"{self.language} keyword {written!r}: prefixes need at least "
                            f"{MIN_PREFIX} letters"
                        )
                    parts.append(_Part(word, prefix=True))
                else:
                    parts.append(_Part(self._key(word), prefix=False))
        if not parts:
            raise KeywordError(f"{self.language} keyword {written!r} is empty")
        return _Keyword(label=label, written=written, parts=tuple(parts))

    def _key(self, word: str) -> str:
        return self._stem([word])[0] if self._stem is not None else word

    def find(self, text: Words) -> list[Match]:
        """Every keyword found in ``text``, once each, in order of first appearance."""
        tokens = text.words
        if not tokens:
            return []
        keys = text.stems(self.language) if self._stem is not None else tokens
        found: dict[int, Match] = {}
        exact, prefixes, heads = self._exact, self._prefix_tables, self._prefix_heads
        for position, token in enumerate(tokens):
            candidates = exact.get(keys[position])
            if candidates:
                self._try(candidates, tokens, keys, position, found)
            if token[:MIN_PREFIX] not in heads:
                continue
            for length, by_prefix in prefixes:
                if length > len(token):
                    break
                candidates = by_prefix.get(token[:length])
                if candidates:
                    self._try(candidates, tokens, keys, position, found)
        return list(found.values())

    def _try(
        self,
        candidates: list[_Keyword],
        tokens: Sequence[str],
        keys: Sequence[str],
        position: int,
        found: dict[int, Match],
    ) -> None:
        for keyword in candidates:
            if id(keyword) in found:
                continue
            end = self._match_from(keyword, tokens, keys, position)
            if end is not None:
                found[id(keyword)] = Match(
                    label=keyword.label,
                    keyword=keyword.written,
                    matched=" ".join(tokens[position:end]),
                    start=position,
                    end=end,
                )

    @staticmethod
    def _match_from(
        keyword: _Keyword, tokens: Sequence[str], keys: Sequence[str], start: int
    ) -> int | None:
        end = start + len(keyword.parts)
        if end > len(tokens):
            return None
        for offset, part in enumerate(keyword.parts):
            index = start + offset
            if part.prefix:
                if not tokens[index].startswith(part.text):
                    return None
            elif keys[index] != part.text:
                return None
        return end


def coverage(matches: Iterable[Match]) -> dict[str, set[int]]:
    """Label -> the positions of the words its matches cover."""
    covered: dict[str, set[int]] = defaultdict(set)
    for match in matches:
        covered[match.label].update(range(match.start, match.end))
    return covered
