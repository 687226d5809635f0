"""Lithuanian."""

from switchboard.simulator.texts.pack import LanguagePack

PACK = LanguagePack(
    code="lt",
    locale="lt_LT",
    date_skeleton="dMMMM",
    greetings=("Laba diena,", "Sveiki,", "Labas,", "Laba diena!"),
    casual_greetings=("laba diena", "sveiki", "labas"),
    closings=(
        "Ačiū!\n{first}",
        "Pagarbiai\n{name}",
        "Iš anksto dėkoju,\n{name}",
        "Geros dienos!\n{first}",
    ),
    subjects={
        "orders_shipping": (
            "Kur mano užsakymas {order}?",
            "Siunta vis dar negauta",
            "Užsakymo būsena",
        ),
        "returns_refunds": (
            "Prekės grąžinimas – užsakymas {order}",
            "Negrąžinti pinigai",
            "Sugadinta prekė",
        ),
        "payments_billing": (
            "Mokėjimas nuskaitytas du kartus",
            "Problema su mokėjimu",
            "Sąskaita faktūra užsakymui {order}",
        ),
        "account_technical": ("Negaliu prisijungti", "Problema su paskyra", "Klaida apmokant"),
        "product_question": (
            "Klausimas dėl prekės: {product}",
            "Ar prekė yra sandėlyje?",
            "Klausimas prieš perkant",
        ),
    },
    bodies={
        "orders_shipping": (
            "Užsakymą {order} pateikiau {ago}, bet jis vis dar neatkeliavo. Nuo {date} siuntos "
            "būsena nesikeičia. Ar galite patikrinti, kur jis dabar?",
            "Siunta ({product}) jau seniai turėjo būti pristatyta, bet {carrier} vis dar rodo, "
            "kad ji kelyje. Siuntos numeris: {tracking}.",
            "Prašau patikrinti mano užsakymo būseną. Man jo reikia iki savaitgalio, tai dovana.",
            "Sekimo informacijoje parašyta, kad siunta pristatyta, bet aš nieko negavau. "
            "Paštomate jos nebuvo, pranešimo irgi negavau.",
            "Ar dar galima pakeisti užsakymo {order} pristatymo adresą? Kitą savaitę manęs nebus "
            "namie.",
        ),
        "returns_refunds": (
            "Norėčiau grąžinti prekę iš užsakymo {order} ({product}). Kaip gauti grąžinimo "
            "etiketę?",
            "Prekė ({product}) atkeliavo sugadinta, dėžė buvo visiškai suspausta. Prašau "
            "atsiųsti naują arba grąžinti pinigus.",
            "Prekę atgal išsiunčiau {ago}, bet pinigai ({amount}) vis dar negrąžinti. Kada juos "
            "gausiu?",
            "Gavau netinkamą dydį: užsakiau M, o atėjo XL. Ar galiu pasikeisti?",
        ),
        "payments_billing": (
            "Už užsakymą {order} mokėjimas ({amount}) nuskaitytas du kartus. Prašau grąžinti "
            "antrąjį mokėjimą.",
            "Mokėjimas kortele nepavyko, bet pinigai iš sąskaitos buvo nuskaityti. Ar užsakymas "
            "vis tiek priimtas?",
            "Black Friday naujienlaiškio nuolaidos kodas krepšelyje neveikė. Ar galite jį "
            "pritaikyti užsakymui {order}?",
            "Prašau išrašyti sąskaitą faktūrą įmonei už užsakymą {order}. PVM kodą atsiųsiu "
            "atskirai.",
            "Apmokėjau pavedimu {ago}, bet užsakymo būsena vis dar „laukiama apmokėjimo“.",
        ),
        "account_technical": (
            "Negaliu prisijungti prie savo paskyros. Slaptažodžio atkūrimo laiškas neateina, "
            "šlamšto aplanke irgi nėra.",
            "Apmokant, paspaudus „Mokėti“, vis iššoka klaida. Bandžiau su dviem skirtingomis "
            "kortelėmis ir naršyklėmis.",
            "Prašau ištrinti mano paskyrą ir visus mano asmens duomenis.",
            "Jūsų programėlė užstringa kaskart, kai atidarau užsakymų istoriją.",
        ),
        "product_question": (
            "Ar prekė {product} dar yra sandėlyje? Puslapyje parašyta „netrukus bus“ – kada "
            "tiksliai?",
            "Kokia garantija suteikiama prekei {product}?",
            "Jei šiandien užsakysiu prekę {product}, ar ji atkeliaus iki Kalėdų?",
            "Ar galite nurodyti tikslius prekės {product} matmenis? Prekės puslapyje jų neradau.",
        ),
    },
    order_refs=(
        "Užsakymo numeris: {order}",
        "Mano užsakymo nr. {order}.",
        "(užsakymas nr. {order})",
    ),
    chasers=(
        "Ar yra naujienų? Atsakymo vis dar negavau.",
        "Vis dar laukiu atsakymo dėl užsakymo {order}.",
        "Kartoju savo ankstesnį klausimą.",
        "Prašau atsakyti, reikalas skubus.",
    ),
    chat_nudges=("alio?", "ar kas nors yra?", "vis dar laukiu...", "??"),
    order_afterthoughts=(
        "Pamiršau nurodyti užsakymo numerį: {order}.",
        "užsakymo nr. {order}",
    ),
    phone_callbacks=(
        "jau skambinau dėl užsakymo {order} ir niekas man neperskambino",
        "skambinu jau antrą kartą dėl užsakymo {order}",
    ),
    frustration=(
        "Rašau jums jau trečią kartą!",
        "Tai visiškai nepriimtina.",
        "Jei šiandien negausiu atsakymo, kreipsiuosi į banką.",
        "Esu labai nusivyl[[ęs|usi]] jūsų aptarnavimu.",
    ),
    phone_openers=(
        "laba diena",
        "taip laba diena turiu klausimą",
        "alio laba diena",
    ),
    fillers=("ee", "nu"),
    short_lines=("Ačiū!", "Prašau atsakyti greitai.", "Dėkoju"),
    ago={
        "one": "prieš {n} dieną",
        "few": "prieš {n} dienas",
        "many": "prieš {n} dienos",
        "other": "prieš {n} dienų",
    },
    reply_prefix="Re: ",
    plain_letters={
        "ą": "a", "č": "c", "ę": "e", "ė": "e", "į": "i", "š": "s", "ų": "u", "ū": "u", "ž": "z",
    },
    first_names_male=(
        "Tomas", "Mantas", "Lukas", "Jonas", "Darius", "Paulius", "Andrius", "Mindaugas", "Karolis",
        "Rokas",
    ),
    first_names_female=(
        "Rūta", "Eglė", "Greta", "Ieva", "Agnė", "Lina", "Kristina", "Gabija", "Austėja", "Inga",
    ),
    surnames=(
        ("Kazlauskas", "Kazlauskienė"), ("Jankauskas", "Jankauskaitė"),
        ("Petrauskas", "Petrauskienė"), ("Stankevičius", "Stankevičiūtė"),
        ("Vasiliauskas", "Vasiliauskienė"), ("Žukauskas", "Žukauskaitė"), ("Butkus", "Butkutė"),
        ("Paulauskas", "Paulauskienė"), ("Urbonas", "Urbonienė"),
        ("Kavaliauskas", "Kavaliauskaitė"),
    ),
    products={
        "jacket": "Žieminė striukė Arctic",
        "smartwatch": "Išmanusis laikrodis Pulse 3",
        "espresso": "Espreso kavos aparatas Barista One",
        "robot_vacuum": "Robotas dulkių siurblys CleanBot S7",
        "air_fryer": "Karšto oro gruzdintuvė Crisp XL",
        "gaming_mouse": "Žaidimų pelė Falcon M2",
        "backpack": "Žygio kuprinė Trail 35",
        "bedding": "Patalynės komplektas Linnea 200x220",
        "toothbrush": "Elektrinis dantų šepetėlis Sonic Clean",
        "tablet": "Planšetinis kompiuteris Tab 11",
        "desk_lamp": "LED stalinė lempa Lumo",
    },
)  # fmt: skip
