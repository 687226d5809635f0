"""German (Germany)."""

from switchboard.simulator.texts.pack import LanguagePack

PACK = LanguagePack(
    code="de",
    locale="de_DE",
    date_skeleton="dMMMM",
    greetings=(
        "Hallo,",
        "Guten Tag,",
        "Sehr geehrte Damen und Herren,",
        "Hallo zusammen,",
        "Moin,",
    ),
    casual_greetings=("hallo", "hi", "guten abend"),
    closings=(
        "Viele Grüße\n{name}",
        "Mit freundlichen Grüßen\n{name}",
        "Danke und Gruß\n{first}",
        "LG {first}",
        "Vielen Dank im Voraus!\n{name}",
    ),
    subjects={
        "orders_shipping": (
            "Wo bleibt meine Bestellung {order}?",
            "Lieferung noch nicht angekommen",
            "Sendungsstatus",
        ),
        "returns_refunds": (
            "Rücksendung Bestellung {order}",
            "Erstattung noch nicht erhalten",
            "Ware beschädigt angekommen",
        ),
        "payments_billing": (
            "Doppelte Abbuchung",
            "Problem mit der Zahlung",
            "Rechnung für Bestellung {order}",
        ),
        "account_technical": (
            "Login funktioniert nicht",
            "Problem mit meinem Kundenkonto",
            "Fehler beim Bezahlen",
        ),
        "product_question": (
            "Frage zum Artikel {product}",
            "Lieferbarkeit",
            "Frage vor der Bestellung",
        ),
    },
    bodies={
        "orders_shipping": (
            "ich habe {ago} die Bestellung {order} aufgegeben und sie ist immer noch nicht da. "
            "Die Sendungsverfolgung hat sich seit dem {date} nicht geändert. Können Sie bitte "
            "nachsehen, wo das Paket ist?",
            "mein Paket mit dem Artikel {product} hätte längst ankommen sollen, aber bei "
            "{carrier} steht immer noch „unterwegs“. Sendungsnummer: {tracking}.",
            "können Sie bitte den Status meiner Bestellung prüfen? Ich brauche sie vor dem "
            "Wochenende, es ist ein Geschenk.",
            "laut Sendungsverfolgung wurde das Paket zugestellt, aber ich habe nichts bekommen. "
            "Es gab keine Benachrichtigung und bei den Nachbarn ist es auch nicht.",
            "kann ich die Lieferadresse für die Bestellung {order} noch ändern? Ich bin nächste "
            "Woche nicht zu Hause.",
        ),
        "returns_refunds": (
            "ich möchte den Artikel {product} aus der Bestellung {order} zurückschicken. Wie "
            "bekomme ich ein Rücksendeetikett?",
            "der Artikel {product} ist beschädigt angekommen, der Karton war völlig eingedrückt. "
            "Ich hätte gerne Ersatz oder mein Geld zurück.",
            "ich habe meine Rücksendung {ago} abgeschickt und die Erstattung über {amount} ist "
            "immer noch nicht da. Wann wird das bearbeitet?",
            "ich habe die falsche Größe bekommen: bestellt war M, geliefert wurde XL. Kann ich "
            "das umtauschen?",
        ),
        "payments_billing": (
            "für die Bestellung {order} wurden mir zweimal {amount} abgebucht. Bitte erstatten "
            "Sie die doppelte Zahlung.",
            "die Kartenzahlung ist fehlgeschlagen, aber das Geld wurde trotzdem von meinem Konto "
            "abgebucht. Ist die Bestellung jetzt durchgegangen?",
            "der Rabattcode aus Ihrem Black-Friday-Newsletter hat an der Kasse nicht "
            "funktioniert. Können Sie ihn nachträglich auf die Bestellung {order} anrechnen?",
            "könnten Sie mir bitte eine Rechnung mit der USt-IdNr. meiner Firma für die "
            "Bestellung {order} schicken?",
            "ich habe {ago} per Überweisung bezahlt, aber die Bestellung steht immer noch auf "
            "„Zahlung ausstehend“.",
        ),
        "account_technical": (
            "ich kann mich nicht in mein Kundenkonto einloggen. Die E-Mail zum Zurücksetzen des "
            "Passworts kommt nie an, auch nicht im Spam-Ordner.",
            "beim Bezahlen kommt jedes Mal eine Fehlermeldung, wenn ich auf „Jetzt kaufen“ "
            "klicke. Ich habe zwei Karten und zwei Browser ausprobiert.",
            "bitte löschen Sie mein Kundenkonto und alle meine persönlichen Daten.",
            "Ihre App stürzt jedes Mal ab, wenn ich meine Bestellübersicht öffne.",
        ),
        "product_question": (
            "ist der Artikel {product} noch auf Lager? Auf der Seite steht „bald verfügbar“ – "
            "wann genau?",
            "wie lange ist die Garantie auf den Artikel {product}?",
            "wenn ich den Artikel {product} heute bestelle, kommt er dann noch vor Weihnachten "
            "an?",
            "können Sie mir die genauen Maße vom Artikel {product} sagen? Auf der Produktseite "
            "finde ich sie nicht.",
        ),
    },
    order_refs=(
        "Bestellnummer: {order}",
        "Meine Bestellnummer ist {order}.",
        "(Bestellung {order})",
    ),
    chasers=(
        "gibt es schon etwas Neues? Ich habe immer noch keine Antwort.",
        "ich warte immer noch auf eine Antwort zur Bestellung {order}.",
        "ich wollte nur noch mal wegen meiner letzten Nachricht nachfragen.",
        "bitte melden Sie sich, es ist dringend.",
    ),
    chat_nudges=(
        "hallo?",
        "ist da jemand?",
        "warte immer noch...",
        "??",
    ),
    order_afterthoughts=(
        "ich habe vergessen, die Bestellnummer anzugeben: {order}.",
        "bestellnummer ist {order}",
    ),
    phone_callbacks=(
        "ich hatte wegen der Bestellung {order} schon mal angerufen und niemand hat sich gemeldet",
        "ich rufe jetzt schon zum zweiten Mal wegen der Bestellung {order} an",
    ),
    frustration=(
        "Das ist jetzt schon das dritte Mal, dass ich mich melde!",
        "Das ist absolut inakzeptabel.",
        "Wenn ich heute nichts höre, lasse ich die Zahlung von meiner Bank zurückbuchen.",
        "Ich bin von Ihrem Service sehr enttäuscht.",
    ),
    phone_openers=(
        "ja hallo",
        "guten Tag ich hätte da eine Frage",
        "hallo ja also",
    ),
    fillers=("äh", "ähm"),
    short_lines=("Danke!", "Bitte schnell antworten.", "Vielen Dank"),
    ago={"one": "vor {n} Tag", "other": "vor {n} Tagen"},
    reply_prefix="AW: ",
    plain_letters={"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"},
    first_names_male=(
        "Lukas", "Jonas", "Felix", "Maximilian", "Tobias", "Jan", "Stefan", "Michael", "Thomas",
        "Florian",
    ),
    first_names_female=(
        "Anna", "Lena", "Laura", "Julia", "Sarah", "Katharina", "Lisa", "Sabine", "Claudia", "Nina",
    ),
    surnames=tuple(
        (name, name)
        for name in (
            "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Hoffmann", "Schulz",
        )
    ),
    products={
        "jacket": "Winterjacke Arctic",
        "smartwatch": "Smartwatch Pulse 3",
        "espresso": "Espressomaschine Barista One",
        "robot_vacuum": "Saugroboter CleanBot S7",
        "air_fryer": "Heißluftfritteuse Crisp XL",
        "gaming_mouse": "Gaming-Maus Falcon M2",
        "backpack": "Wanderrucksack Trail 35",
        "bedding": "Bettwäsche-Set Linnea 200x220",
        "toothbrush": "Elektrische Zahnbürste Sonic Clean",
        "tablet": "Tablet Tab 11",
        "desk_lamp": "LED-Schreibtischlampe Lumo",
    },
    lower_after_greeting_comma=True,
)  # fmt: skip
