"""Czech."""

from switchboard.simulator.texts.pack import LanguagePack

PACK = LanguagePack(
    code="cs",
    locale="cs_CZ",
    date_skeleton="dMMMM",
    greetings=("Dobrý den,", "Zdravím,", "Dobrý den, prosím o pomoc.", "Ahoj,"),
    casual_greetings=("dobrý den", "ahoj", "zdravím"),
    closings=(
        "Děkuji\n{name}",
        "S pozdravem\n{name}",
        "Předem děkuji.\n{first}",
        "Díky, {first}",
    ),
    subjects={
        "orders_shipping": (
            "Kde je moje objednávka {order}?",
            "Zásilka stále nedorazila",
            "Stav objednávky",
        ),
        "returns_refunds": (
            "Vrácení zboží – objednávka {order}",
            "Nevrácené peníze",
            "Poškozené zboží",
        ),
        "payments_billing": (
            "Platba stržena dvakrát",
            "Problém s platbou",
            "Faktura k objednávce {order}",
        ),
        "account_technical": ("Nemůžu se přihlásit", "Problém s účtem", "Chyba při placení"),
        "product_question": (
            "Dotaz k produktu: {product}",
            "Dostupnost zboží",
            "Dotaz před nákupem",
        ),
    },
    bodies={
        "orders_shipping": (
            "Objednávku {order} jsem udělal[[|a]] {ago} a pořád nedorazila. Stav zásilky se "
            "nezměnil od {date}. Můžete prosím zjistit, kde je?",
            "Zásilka s objednávkou ({product}) tu už měla dávno být, ale podle sledování "
            "zásilky ({carrier}) je pořád na cestě. Číslo zásilky: {tracking}.",
            "Můžete mi prosím zkontrolovat stav objednávky? Potřebuji ji do víkendu, je to dárek.",
            "Podle sledování byla zásilka doručena, ale nic jsem nedostal[[|a]]. Nikdo nezvonil "
            "a sousedé ji taky nemají.",
            "Můžu ještě změnit doručovací adresu u objednávky {order}? Příští týden nebudu doma.",
        ),
        "returns_refunds": (
            "Chtěl[[|a]] bych vrátit zboží z objednávky {order} ({product}). Jak získám štítek "
            "pro vrácení?",
            "Zboží ({product}) dorazilo poškozené, krabice byla úplně zmačkaná. Prosím o výměnu "
            "nebo vrácení peněz.",
            "Vrácené zboží jsem poslal[[|a]] {ago} a peníze ({amount}) mi pořád nepřišly. Kdy "
            "je dostanu?",
            "Přišla mi špatná velikost: objednal[[|a]] jsem M a přišlo XL. Můžu to vyměnit?",
        ),
        "payments_billing": (
            "Za objednávku {order} mi bylo strženo dvakrát {amount}. Prosím o vrácení druhé "
            "platby.",
            "Platba kartou neprošla, ale peníze mi z účtu odešly. Je objednávka přijatá?",
            "Slevový kód z newsletteru k Black Friday v košíku nefungoval. Můžete ho dodatečně "
            "uplatnit na objednávku {order}?",
            "Prosím o vystavení faktury na firmu k objednávce {order}. IČO pošlu v další zprávě.",
            "Platil[[|a]] jsem převodem {ago}, ale objednávka je pořád ve stavu „čeká na platbu“.",
        ),
        "account_technical": (
            "Nemůžu se přihlásit ke svému účtu. E-mail pro obnovení hesla vůbec nepřichází, ani "
            "do spamu.",
            "Při placení mi po kliknutí na „Zaplatit“ pořád vyskočí chyba. Zkoušel[[|a]] jsem "
            "dvě karty a dva prohlížeče.",
            "Prosím o zrušení mého účtu a smazání všech osobních údajů.",
            "Aplikace mi spadne pokaždé, když otevřu historii objednávek.",
        ),
        "product_question": (
            "Dotaz k produktu {product}: je ještě skladem? Na webu je „brzy k dispozici“ – kdy "
            "přesně?",
            "Jakou záruku má produkt {product}?",
            "Když si dnes objednám produkt {product}, dorazí ještě před Vánoci?",
            "Můžete mi napsat přesné rozměry produktu {product}? Na stránce produktu je nemůžu "
            "najít.",
        ),
    },
    order_refs=(
        "Číslo objednávky: {order}",
        "Moje číslo objednávky je {order}.",
        "(objednávka č. {order})",
    ),
    chasers=(
        "Je něco nového? Pořád nemám žádnou odpověď.",
        "Stále čekám na odpověď k objednávce {order}.",
        "Připomínám svůj předchozí dotaz.",
        "Prosím o rychlou odpověď, je to naléhavé.",
    ),
    chat_nudges=("haló?", "je tam někdo?", "pořád čekám...", "??"),
    order_afterthoughts=(
        "Zapomněl[[|a]] jsem napsat číslo objednávky: {order}.",
        "číslo objednávky je {order}",
    ),
    phone_callbacks=(
        "už jsem volal[[|a]] kvůli objednávce {order} a nikdo se mi neozval",
        "volám už podruhé kvůli objednávce {order}",
    ),
    frustration=(
        "Píšu vám už potřetí!",
        "Tohle je naprosto nepřijatelné.",
        "Pokud se mi dnes neozvete, budu platbu reklamovat u banky.",
        "Jsem z vašeho přístupu hodně zklaman[[ý|á]].",
    ),
    phone_openers=(
        "dobrý den",
        "dobrý den mám dotaz",
        "jo dobrý den",
    ),
    fillers=("ehm", "no"),
    short_lines=("Děkuji!", "Prosím o rychlou odpověď.", "Díky"),
    ago={
        "one": "před {n} dnem",
        "few": "před {n} dny",
        "many": "před {n} dny",
        "other": "před {n} dny",
    },
    reply_prefix="Re: ",
    plain_letters={
        "á": "a", "č": "c", "ď": "d", "é": "e", "ě": "e", "í": "i", "ň": "n", "ó": "o", "ř": "r",
        "š": "s", "ť": "t", "ú": "u", "ů": "u", "ý": "y", "ž": "z",
    },
    first_names_male=(
        "Jan", "Petr", "Tomáš", "Martin", "Jakub", "Lukáš", "Ondřej", "David", "Pavel", "Jiří",
    ),
    first_names_female=(
        "Jana", "Tereza", "Lucie", "Eva", "Kateřina", "Petra", "Veronika", "Lenka", "Martina",
        "Markéta",
    ),
    surnames=(
        ("Novák", "Nováková"), ("Svoboda", "Svobodová"), ("Novotný", "Novotná"),
        ("Dvořák", "Dvořáková"), ("Černý", "Černá"), ("Procházka", "Procházková"),
        ("Kučera", "Kučerová"), ("Veselý", "Veselá"), ("Horák", "Horáková"), ("Němec", "Němcová"),
    ),
    products={
        "jacket": "Zimní bunda Arctic",
        "smartwatch": "Chytré hodinky Pulse 3",
        "espresso": "Kávovar Barista One",
        "robot_vacuum": "Robotický vysavač CleanBot S7",
        "air_fryer": "Horkovzdušná fritéza Crisp XL",
        "gaming_mouse": "Herní myš Falcon M2",
        "backpack": "Turistický batoh Trail 35",
        "bedding": "Povlečení Linnea 200x220",
        "toothbrush": "Sonický zubní kartáček Sonic Clean",
        "tablet": "Tablet Tab 11",
        "desk_lamp": "Stolní LED lampa Lumo",
    },
)  # fmt: skip
