"""Estonian."""

from switchboard.simulator.texts.pack import LanguagePack

PACK = LanguagePack(
    code="et",
    locale="et_EE",
    date_skeleton="dM",
    greetings=("Tere!", "Tere päevast!", "Tervist!", "Tere,"),
    casual_greetings=("tere", "tsau", "tere tere"),
    closings=(
        "Aitäh!\n{first}",
        "Lugupidamisega\n{name}",
        "Parimat\n{first}",
        "Ette tänades\n{name}",
        "Tervitades\n{name}",
    ),
    subjects={
        "orders_shipping": (
            "Kus on minu tellimus {order}?",
            "Pakk pole kohale jõudnud",
            "Tellimuse staatus",
        ),
        "returns_refunds": (
            "Tagastus – tellimus {order}",
            "Raha pole tagasi kantud",
            "Kaup saabus katkisena",
        ),
        "payments_billing": (
            "Makse võeti kaks korda",
            "Probleem maksega",
            "Arve tellimusele {order}",
        ),
        "account_technical": ("Ei saa sisse logida", "Probleem kontoga", "Viga maksmisel"),
        "product_question": (
            "Küsimus toote kohta: {product}",
            "Kas toode on laos?",
            "Küsimus enne tellimist",
        ),
    },
    bodies={
        "orders_shipping": (
            "Tegin tellimuse {order} {ago} ja see pole ikka veel kohale jõudnud. Jälgimise info "
            "pole alates {date} muutunud. Kas saate vaadata, kus pakk on?",
            "Pakk ({product}) oleks pidanud juba ammu kohal olema, aga {carrier} näitab endiselt, "
            "et see on teel. Jälgimiskood: {tracking}.",
            "Palun kontrollige mu tellimuse olekut. Mul on seda enne nädalavahetust vaja, see on "
            "kingitus.",
            "Jälgimise järgi on pakk kätte toimetatud, aga mina pole midagi saanud. "
            "Pakiautomaadis seda polnud ja teavitust ka ei tulnud.",
            "Kas tellimuse {order} tarneaadressi saab veel muuta? Järgmisel nädalal ei ole ma "
            "kodus.",
        ),
        "returns_refunds": (
            "Soovin tagastada toote tellimusest {order} ({product}). Kuidas ma tagastussildi saan?",
            "Toode ({product}) saabus katkisena, karp oli täiesti lömmis. Palun saatke uus või "
            "tagastage raha.",
            "Saatsin tagastuse teele {ago}, aga raha ({amount}) pole siiani tagasi tulnud. "
            "Millal see kantakse?",
            "Sain vale suuruse: tellisin M, aga saabus XL. Kas saan selle ümber vahetada?",
        ),
        "payments_billing": (
            "Tellimuse {order} eest võeti mu kontolt kaks korda {amount}. Palun tagastage "
            "topeltmakse.",
            "Kaardimakse ebaõnnestus, aga raha võeti kontolt maha. Kas tellimus läks ikkagi läbi?",
            "Black Friday uudiskirja sooduskood ei töötanud kassas. Kas saate selle tellimusele "
            "{order} tagantjärele rakendada?",
            "Palun saatke tellimuse {order} kohta arve ettevõtte nimele, KMKR numbri saadan "
            "eraldi.",
            "Maksin pangaülekandega {ago}, aga tellimuse staatus on endiselt „ootab makset“.",
        ),
        "account_technical": (
            "Ma ei saa oma kontole sisse logida. Parooli lähtestamise e-kiri ei tule kohale, "
            "rämpsposti kaustas ka pole.",
            "Maksmisel tuleb nupule „Maksa“ vajutades kogu aeg viga. Proovisin kahte erinevat "
            "kaarti ja brauserit.",
            "Palun kustutage minu konto ja kõik minu isikuandmed.",
            "Teie äpp jookseb kokku iga kord, kui avan tellimuste ajaloo.",
        ),
        "product_question": (
            "Kas toode {product} on veel laos? Lehel on kirjas „varsti saadaval“ – millal täpselt?",
            "Kui pikk garantii on tootel {product}?",
            "Kui tellin toote {product} täna, kas see jõuab kohale enne jõule?",
            "Kas saate öelda toote {product} täpsed mõõdud? Tootelehelt ma neid ei leidnud.",
        ),
    },
    order_refs=("Tellimuse number: {order}", "Minu tellimuse nr on {order}.", "(tellimus {order})"),
    chasers=(
        "Kas on midagi uut? Vastust pole ikka veel tulnud.",
        "Ootan endiselt vastust tellimuse {order} kohta.",
        "Kordan oma eelmist küsimust.",
        "Palun vastake, asi on kiire.",
    ),
    chat_nudges=(
        "halloo?",
        "kas keegi on seal?",
        "ootan ikka veel...",
        "??",
    ),
    order_afterthoughts=(
        "Unustasin lisada tellimuse numbri: {order}.",
        "tellimuse nr {order}",
    ),
    phone_callbacks=(
        "helistasin juba tellimuse {order} pärast ja keegi ei võtnud minuga ühendust",
        "helistan juba teist korda tellimuse {order} pärast",
    ),
    frustration=(
        "Kirjutan teile juba kolmandat korda!",
        "See on täiesti vastuvõetamatu.",
        "Kui ma täna vastust ei saa, pöördun panga poole.",
        "Olen teie teenindusest väga pettunud.",
    ),
    phone_openers=(
        "tere",
        "jah tere mul on küsimus",
        "tere jah",
    ),
    fillers=("ee", "öö"),
    short_lines=("Aitäh!", "Palun vastake kiiresti.", "Tänan"),
    ago={"one": "{n} päev tagasi", "other": "{n} päeva tagasi"},
    reply_prefix="Re: ",
    plain_letters={"õ": "o", "ä": "a", "ö": "o", "ü": "u", "š": "s", "ž": "z"},
    first_names_male=(
        "Andres", "Martin", "Marko", "Rasmus", "Siim", "Tanel", "Kristjan", "Priit", "Toomas",
        "Mihkel",
    ),
    first_names_female=(
        "Kadri", "Kristiina", "Liis", "Maria", "Triin", "Kertu", "Anu", "Piret", "Merike", "Helen",
    ),
    surnames=tuple(
        (name, name)
        for name in (
            "Tamm",
            "Saar",
            "Sepp",
            "Mägi",
            "Kask",
            "Kukk",
            "Rebane",
            "Ilves",
            "Pärn",
            "Koppel",
        )
    ),
    products={
        "jacket": "Talvejope Arctic",
        "smartwatch": "Nutikell Pulse 3",
        "espresso": "Espressomasin Barista One",
        "robot_vacuum": "Robottolmuimeja CleanBot S7",
        "air_fryer": "Kuumaõhufritüür Crisp XL",
        "gaming_mouse": "Mänguhiir Falcon M2",
        "backpack": "Matkaseljakott Trail 35",
        "bedding": "Voodipesukomplekt Linnea 200x220",
        "toothbrush": "Elektriline hambahari Sonic Clean",
        "tablet": "Tahvelarvuti Tab 11",
        "desk_lamp": "LED-laualamp Lumo",
    },
)  # fmt: skip
