"""Latvian."""

from switchboard.simulator.texts.pack import LanguagePack

PACK = LanguagePack(
    code="lv",
    locale="lv_LV",
    date_skeleton="dM",
    greetings=("Labdien!", "Sveiki!", "Labdien,", "Sveiki,"),
    casual_greetings=("sveiki", "čau", "labdien"),
    closings=(
        "Paldies!\n{first}",
        "Ar cieņu\n{name}",
        "Jau iepriekš paldies!\n{name}",
        "Ar labiem vēlējumiem\n{name}",
    ),
    subjects={
        "orders_shipping": (
            "Kur ir mans pasūtījums {order}?",
            "Sūtījums vēl nav saņemts",
            "Pasūtījuma statuss",
        ),
        "returns_refunds": (
            "Preces atgriešana – pasūtījums {order}",
            "Nauda vēl nav atmaksāta",
            "Bojāta prece",
        ),
        "payments_billing": (
            "Maksājums noņemts divreiz",
            "Problēma ar maksājumu",
            "Rēķins pasūtījumam {order}",
        ),
        "account_technical": ("Nevaru ielogoties", "Problēma ar kontu", "Kļūda apmaksas laikā"),
        "product_question": (
            "Jautājums par preci: {product}",
            "Vai prece ir noliktavā?",
            "Jautājums pirms pirkuma",
        ),
    },
    bodies={
        "orders_shipping": (
            "Pasūtījumu {order} veicu {ago}, bet tas joprojām nav atnācis. Kopš {date} sūtījuma "
            "statuss nav mainījies. Vai varat, lūdzu, pārbaudīt, kur tas ir?",
            "Sūtījumam ({product}) jau sen vajadzēja būt klāt, bet {carrier} joprojām rāda, ka tas "
            "ir ceļā. Izsekošanas numurs: {tracking}.",
            "Lūdzu, pārbaudiet mana pasūtījuma statusu. Man tas ir vajadzīgs līdz nedēļas "
            "nogalei, tā ir dāvana.",
            "Izsekošanā rakstīts, ka sūtījums ir piegādāts, bet es neko nesaņēmu. Pakomātā nekā "
            "nebija, un arī paziņojumu nesaņēmu.",
            "Vai pasūtījumam {order} vēl var nomainīt piegādes adresi? Nākamnedēļ manis nebūs "
            "mājās.",
        ),
        "returns_refunds": (
            "Vēlos atgriezt preci no pasūtījuma {order} ({product}). Kā es varu saņemt "
            "atgriešanas etiķeti?",
            "Prece ({product}) pienāca bojāta, kaste bija pilnīgi saspiesta. Lūdzu, nosūtiet "
            "jaunu vai atmaksājiet naudu.",
            "Preci atpakaļ nosūtīju {ago}, bet nauda ({amount}) joprojām nav atmaksāta. Kad to "
            "varu gaidīt?",
            "Saņēmu nepareizu izmēru: pasūtīju M, bet atnāca XL. Vai varu to apmainīt?",
        ),
        "payments_billing": (
            "Par pasūtījumu {order} nauda ({amount}) no mana konta tika noņemta divreiz. Lūdzu, "
            "atmaksājiet otro maksājumu.",
            "Maksājums ar karti neizdevās, bet nauda no konta tika noņemta. Vai pasūtījums tomēr "
            "ir pieņemts?",
            "Black Friday jaunumu vēstules atlaižu kods grozā nedarbojās. Vai varat to piemērot "
            "pasūtījumam {order}?",
            "Lūdzu, izrakstiet rēķinu uzņēmumam par pasūtījumu {order}. PVN numuru nosūtīšu "
            "atsevišķi.",
            "Samaksāju ar pārskaitījumu {ago}, bet pasūtījuma statuss joprojām ir „gaida "
            "apmaksu“.",
        ),
        "account_technical": (
            "Nevaru ielogoties savā kontā. E-pasts paroles atjaunošanai nepienāk, arī "
            "surogātpastā nekā nav.",
            "Apmaksas laikā, nospiežot „Maksāt“, visu laiku parādās kļūda. Mēģināju ar divām "
            "dažādām kartēm un pārlūkiem.",
            "Lūdzu, dzēsiet manu kontu un visus manus personas datus.",
            "Jūsu lietotne avarē katru reizi, kad atveru pasūtījumu vēsturi.",
        ),
        "product_question": (
            "Vai prece {product} vēl ir noliktavā? Lapā rakstīts „drīzumā pieejams“ – kad "
            "tieši?",
            "Cik ilga ir garantija precei {product}?",
            "Ja šodien pasūtīšu preci {product}, vai tā pienāks pirms Ziemassvētkiem?",
            "Vai varat pateikt preces {product} precīzus izmērus? Preces lapā tos neatradu.",
        ),
    },
    order_refs=(
        "Pasūtījuma numurs: {order}",
        "Mans pasūtījuma numurs ir {order}.",
        "(pasūtījums nr. {order})",
    ),
    chasers=(
        "Vai ir kādi jaunumi? Atbildi joprojām neesmu saņēm[[is|usi]].",
        "Joprojām gaidu atbildi par pasūtījumu {order}.",
        "Atkārtoju savu iepriekšējo jautājumu.",
        "Lūdzu, atbildiet, tas ir steidzami.",
    ),
    chat_nudges=("hallo?", "vai tur kāds ir?", "joprojām gaidu...", "??"),
    order_afterthoughts=(
        "Aizmirsu norādīt pasūtījuma numuru: {order}.",
        "pasūtījuma nr {order}",
    ),
    phone_callbacks=(
        "es jau zvanīju par pasūtījumu {order}, un neviens man neatzvanīja",
        "zvanu jau otro reizi par pasūtījumu {order}",
    ),
    frustration=(
        "Rakstu jums jau trešo reizi!",
        "Tas ir pilnīgi nepieņemami.",
        "Ja šodien nesaņemšu atbildi, vērsīšos bankā.",
        "Esmu ļoti vīl[[ies|usies]] jūsu apkalpošanā.",
    ),
    phone_openers=(
        "labdien",
        "jā labdien man ir jautājums",
        "labdien jā",
    ),
    fillers=("ēē", "nu"),
    short_lines=("Paldies!", "Lūdzu, atbildiet ātri.", "Paldies jau iepriekš"),
    ago={"zero": "pirms {n} dienām", "one": "pirms {n} dienas", "other": "pirms {n} dienām"},
    reply_prefix="Re: ",
    plain_letters={
        "ā": "a", "č": "c", "ē": "e", "ģ": "g", "ī": "i", "ķ": "k", "ļ": "l", "ņ": "n", "š": "s",
        "ū": "u", "ž": "z",
    },
    first_names_male=(
        "Jānis", "Andris", "Mārtiņš", "Edgars", "Kristaps", "Artūrs", "Roberts", "Raivis", "Oskars",
        "Valdis",
    ),
    first_names_female=(
        "Anna", "Laura", "Kristīne", "Ieva", "Līga", "Ilze", "Inese", "Santa", "Elīna", "Dace",
    ),
    surnames=(
        ("Bērziņš", "Bērziņa"), ("Kalniņš", "Kalniņa"), ("Ozoliņš", "Ozoliņa"),
        ("Jansons", "Jansone"), ("Ozols", "Ozola"), ("Liepiņš", "Liepiņa"),
        ("Krūmiņš", "Krūmiņa"), ("Balodis", "Balode"), ("Zariņš", "Zariņa"),
        ("Pētersons", "Pētersone"),
    ),
    products={
        "jacket": "Ziemas jaka Arctic",
        "smartwatch": "Viedpulkstenis Pulse 3",
        "espresso": "Espresso kafijas automāts Barista One",
        "robot_vacuum": "Robotputekļsūcējs CleanBot S7",
        "air_fryer": "Karstā gaisa friteris Crisp XL",
        "gaming_mouse": "Spēļu pele Falcon M2",
        "backpack": "Pārgājienu mugursoma Trail 35",
        "bedding": "Gultas veļas komplekts Linnea 200x220",
        "toothbrush": "Elektriskā zobu birste Sonic Clean",
        "tablet": "Planšetdators Tab 11",
        "desk_lamp": "LED galda lampa Lumo",
    },
)  # fmt: skip
