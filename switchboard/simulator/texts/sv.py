"""Swedish (as written in Finland)."""

from switchboard.simulator.texts.pack import LanguagePack

PACK = LanguagePack(
    code="sv",
    locale="sv_FI",
    date_skeleton="dMMMM",
    greetings=("Hej!", "Hej,", "Hejsan,", "God dag,"),
    casual_greetings=("hej", "hejsan", "tjena"),
    closings=(
        "Tack!\n{first}",
        "Med vänliga hälsningar\n{name}",
        "Hälsningar\n{name}",
        "Tack på förhand!\n{first}",
        "Mvh {first}",
    ),
    subjects={
        "orders_shipping": (
            "Var är min beställning {order}?",
            "Paketet har inte kommit",
            "Status på beställningen",
        ),
        "returns_refunds": (
            "Retur – beställning {order}",
            "Har inte fått återbetalningen",
            "Varan kom trasig",
        ),
        "payments_billing": (
            "Dubbeldragning på kortet",
            "Problem med betalningen",
            "Faktura för beställning {order}",
        ),
        "account_technical": ("Kan inte logga in", "Problem med mitt konto", "Fel i kassan"),
        "product_question": (
            "Fråga om produkten: {product}",
            "Finns varan i lager?",
            "Fråga innan jag beställer",
        ),
    },
    bodies={
        "orders_shipping": (
            "Jag gjorde beställning {order} {ago} och den har fortfarande inte kommit. Spårningen "
            "har inte ändrats sedan den {date}. Kan ni kolla var paketet är?",
            "Paketet ({product}) borde ha kommit för länge sedan, men {carrier} visar fortfarande "
            "att det är på väg. Spårningsnummer: {tracking}.",
            "Kan ni kontrollera statusen på min beställning? Jag behöver den före helgen, det är "
            "en present.",
            "Enligt spårningen är paketet levererat, men jag har inte fått något. Det fanns "
            "inget i paketautomaten och ingen avisering heller.",
            "Går det fortfarande att ändra leveransadressen för beställning {order}? Jag är inte "
            "hemma nästa vecka.",
        ),
        "returns_refunds": (
            "Jag vill returnera varan från beställning {order} ({product}). Hur får jag en "
            "returetikett?",
            "Varan ({product}) kom trasig, kartongen var helt intryckt. Jag vill ha en ny eller "
            "pengarna tillbaka.",
            "Jag skickade returen {ago} men har fortfarande inte fått tillbaka {amount}. När "
            "kommer återbetalningen?",
            "Jag fick fel storlek: jag beställde M men fick XL. Kan jag byta?",
        ),
        "payments_billing": (
            "Jag har blivit debiterad två gånger för beställning {order}, {amount} syns två "
            "gånger på kontot. Var snäll och betala tillbaka den extra dragningen.",
            "Kortbetalningen misslyckades men pengarna drogs ändå från kontot. Gick beställningen "
            "igenom?",
            "Rabattkoden från ert Black Friday-nyhetsbrev fungerade inte i kassan. Kan ni lägga "
            "till rabatten på beställning {order} i efterhand?",
            "Kan ni skicka en faktura till mitt företag för beställning {order}? FO-numret "
            "skickar jag separat.",
            "Jag betalade med banköverföring {ago} men beställningen står fortfarande som ”väntar "
            "på betalning”.",
        ),
        "account_technical": (
            "Jag kan inte logga in på mitt konto. Mejlet för att återställa lösenordet kommer "
            "aldrig, inte ens till skräpposten.",
            "Det blir fel varje gång jag trycker på ”Betala” i kassan. Jag har testat två olika "
            "kort och webbläsare.",
            "Radera mitt konto och alla mina personuppgifter, tack.",
            "Er app kraschar varje gång jag öppnar min orderhistorik.",
        ),
        "product_question": (
            "Finns produkten {product} fortfarande i lager? På sidan står det ”snart "
            "tillgänglig” – när exakt?",
            "Hur lång garanti har produkten {product}?",
            "Om jag beställer produkten {product} i dag, hinner den fram före jul?",
            "Kan ni berätta de exakta måtten på produkten {product}? Jag hittade dem inte på "
            "produktsidan.",
        ),
    },
    order_refs=("Ordernummer: {order}", "Mitt ordernummer är {order}.", "(beställning {order})"),
    chasers=(
        "Något nytt? Jag har fortfarande inte fått något svar.",
        "Jag väntar fortfarande på svar om beställning {order}.",
        "Jag frågar igen om mitt förra meddelande.",
        "Svara snälla, det är bråttom.",
    ),
    chat_nudges=(
        "hallå?",
        "är det någon där?",
        "väntar fortfarande...",
        "??",
    ),
    order_afterthoughts=(
        "Jag glömde ordernumret: {order}.",
        "ordernummer {order}",
    ),
    phone_callbacks=(
        "jag ringde redan om beställning {order} och ingen har hört av sig",
        "det är andra gången jag ringer om beställning {order}",
    ),
    frustration=(
        "Det här är tredje gången jag skriver till er!",
        "Det här är helt oacceptabelt.",
        "Om jag inte får svar i dag bestrider jag betalningen via banken.",
        "Jag är mycket besviken på er service.",
    ),
    phone_openers=(
        "hej",
        "ja hej jag har en fråga",
        "hej ja alltså",
    ),
    fillers=("eh", "öh"),
    short_lines=("Tack!", "Svara snabbt, tack.", "Tack på förhand"),
    ago={"one": "för {n} dag sedan", "other": "för {n} dagar sedan"},
    reply_prefix="SV: ",
    plain_letters={"å": "a", "ä": "a", "ö": "o"},
    first_names_male=(
        "Johan", "Mikael", "Anders", "Niklas", "Fredrik", "Henrik", "Erik", "Jonas", "Kristian",
        "Patrik",
    ),
    first_names_female=(
        "Anna", "Sofia", "Emma", "Linnea", "Sara", "Johanna", "Malin", "Ida", "Jenny", "Hanna",
    ),
    surnames=tuple(
        (name, name)
        for name in (
            "Lindholm", "Lindqvist", "Nyström", "Holmberg", "Sjöberg", "Björklund", "Lindroos",
            "Forsman", "Ekström", "Sundqvist",
        )
    ),
    products={
        "jacket": "Vinterjacka Arctic",
        "smartwatch": "Smartklocka Pulse 3",
        "espresso": "Espressomaskin Barista One",
        "robot_vacuum": "Robotdammsugare CleanBot S7",
        "air_fryer": "Airfryer Crisp XL",
        "gaming_mouse": "Gamingmus Falcon M2",
        "backpack": "Vandringsryggsäck Trail 35",
        "bedding": "Bäddset Linnea 200x220",
        "toothbrush": "Eltandborste Sonic Clean",
        "tablet": "Surfplatta Tab 11",
        "desk_lamp": "LED-skrivbordslampa Lumo",
    },
)  # fmt: skip
