"""Language detection: one sentence in each supported language, 'und' when unsure."""

from __future__ import annotations

import pytest

from services.ingest.domain.enrich import Enricher
from services.ingest.domain.language import (
    UNDETERMINED,
    LanguageDetector,
    UnsupportedLanguageError,
)

ONE_SENTENCE = {
    "en": "My parcel still has not arrived, can you check where it is?",
    "de": "Mein Paket ist immer noch nicht angekommen, können Sie nachsehen?",
    "fr": "Mon colis n'est toujours pas arrivé, pouvez-vous vérifier ?",
    "es": "Mi paquete todavía no ha llegado, ¿pueden comprobarlo?",
    "it": "Il mio pacco non è ancora arrivato, potete controllare?",
    "nl": "Mijn pakket is nog steeds niet aangekomen, kunt u dat nakijken?",
    "sv": "Mitt paket har fortfarande inte kommit, kan ni kolla var det är?",
    "fi": "Pakettini ei ole vieläkään saapunut, voitteko tarkistaa missä se on?",
    "et": "Minu pakk ei ole ikka veel kohale jõudnud, kas saate kontrollida?",
    "lv": "Mana paka joprojām nav pienākusi, vai varat pārbaudīt, kur tā ir?",
    "lt": "Mano siuntinys vis dar neatėjo, ar galite patikrinti, kur jis yra?",
    "pl": "Moja paczka wciąż nie dotarła, czy możecie sprawdzić, gdzie jest?",
    "cs": "Můj balík pořád nedorazil, můžete prosím zkontrolovat, kde je?",
    "tr": "Kargom hâlâ gelmedi, nerede olduğunu kontrol edebilir misiniz?",
    "ru": "Моя посылка до сих пор не пришла, можете проверить, где она?",
    "uk": "Моя посилка досі не прийшла, можете перевірити, де вона?",
}


@pytest.mark.parametrize(("language", "sentence"), sorted(ONE_SENTENCE.items()))
def test_one_sentence_is_enough(enricher: Enricher, language: str, sentence: str) -> None:
    guess = enricher.detector.detect(sentence)
    assert guess.language == language, guess
    assert guess.confidence >= enricher.detector.min_confidence


@pytest.mark.parametrize("text", ["", "4711-8812", "???", "https://shop.example.com/o/4711", "ok"])
def test_nothing_to_go_on_is_undetermined(enricher: Enricher, text: str) -> None:
    guess = enricher.detector.detect(text)
    assert guess.language == UNDETERMINED
    assert not guess.determined


def test_a_close_call_is_undetermined_but_keeps_its_candidates(enricher: Enricher) -> None:
    # Half German, half English: neither is more likely than all others together.
    guess = enricher.detector.detect("Hallo, order not arrived, bitte schnell")
    assert guess.language == UNDETERMINED
    assert {code for code, _ in guess.candidates} >= {"en", "de"}


def test_only_configured_languages_are_candidates() -> None:
    detector = LanguageDetector(["en", "de"])
    guess = detector.detect("Gdzie jest moja paczka? Zamówienie nie dotarło.")
    assert {code for code, _ in guess.candidates} <= {"en", "de"}


def test_a_single_configured_language_needs_no_model() -> None:
    assert LanguageDetector(["et"]).detect("anything at all").language == "et"


def test_unsupported_languages_are_refused_at_start() -> None:
    with pytest.raises(UnsupportedLanguageError, match="xx"):
        LanguageDetector(["en", "xx"])
