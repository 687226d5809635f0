"""Polish."""

from switchboard.simulator.texts.pack import LanguagePack

PACK = LanguagePack(
    code="pl",
    locale="pl_PL",
    date_skeleton="dMMMM",
    greetings=("Dzień dobry,", "Witam,", "Dzień dobry Państwu,", "Cześć,"),
    casual_greetings=("dzień dobry", "hej", "witam"),
    closings=(
        "Pozdrawiam\n{name}",
        "Z poważaniem\n{name}",
        "Dziękuję i pozdrawiam\n{first}",
        "Z góry dziękuję,\n{first}",
    ),
    subjects={
        "orders_shipping": (
            "Gdzie jest moje zamówienie {order}?",
            "Paczka nie dotarła",
            "Status zamówienia",
        ),
        "returns_refunds": (
            "Zwrot towaru – zamówienie {order}",
            "Brak zwrotu pieniędzy",
            "Uszkodzony produkt",
        ),
        "payments_billing": (
            "Podwójne obciążenie karty",
            "Problem z płatnością",
            "Faktura do zamówienia {order}",
        ),
        "account_technical": ("Nie mogę się zalogować", "Problem z kontem", "Błąd przy płatności"),
        "product_question": (
            "Pytanie o produkt: {product}",
            "Dostępność produktu",
            "Pytanie przed zakupem",
        ),
    },
    bodies={
        "orders_shipping": (
            "Złoży[[łem|łam]] zamówienie {order} {ago} i nadal go nie dosta[[łem|łam]]. Status "
            "przesyłki nie zmienił się od {date}. Czy mogą Państwo sprawdzić, gdzie jest paczka?",
            "Paczka z zamówienia ({product}) miała dotrzeć już dawno, a w systemie {carrier} "
            "nadal widnieje status „w drodze”. Numer przesyłki: {tracking}.",
            "Proszę o sprawdzenie statusu mojego zamówienia. Potrzebuję go przed weekendem, to "
            "prezent.",
            "Dosta[[łem|łam]] SMS-a, że paczka czeka w paczkomacie, ale skrytka była pusta. "
            "Według śledzenia przesyłka została doręczona.",
            "Czy mogę jeszcze zmienić adres dostawy dla zamówienia {order}? W przyszłym tygodniu "
            "nie będzie mnie w domu.",
        ),
        "returns_refunds": (
            "Chciał[[bym|abym]] zwrócić produkt z zamówienia {order} ({product}). Jak mogę "
            "otrzymać etykietę zwrotną?",
            "Produkt ({product}) przyszedł uszkodzony, karton był cały zgnieciony. Proszę o "
            "wymianę albo zwrot pieniędzy.",
            "Odesła[[łem|łam]] paczkę ze zwrotem {ago}, a pieniądze ({amount}) nadal nie "
            "wróciły na konto. Kiedy mogę się ich spodziewać?",
            "Dosta[[łem|łam]] zły rozmiar: zamawia[[łem|łam]] M, a przyszło XL. Czy mogę to "
            "wymienić?",
        ),
        "payments_billing": (
            "Za zamówienie {order} pobrano mi z konta dwa razy {amount}. Proszę o zwrot "
            "podwójnej płatności.",
            "Płatność kartą nie przeszła, ale pieniądze zniknęły z konta. Czy zamówienie "
            "zostało przyjęte?",
            "Kod rabatowy z newslettera na Black Friday nie zadziałał przy płatności. Czy mogą "
            "Państwo uwzględnić go w zamówieniu {order}?",
            "Proszę o wystawienie faktury VAT na firmę do zamówienia {order}.",
            "Zapłaci[[łem|łam]] przelewem {ago}, a zamówienie nadal ma status „oczekuje na "
            "płatność”.",
        ),
        "account_technical": (
            "Nie mogę zalogować się na swoje konto. Mail do resetu hasła w ogóle nie przychodzi, "
            "sprawdza[[łem|łam]] też spam.",
            "Przy płatności ciągle wyskakuje błąd po kliknięciu „Zapłać”. Próbowa[[łem|łam]] "
            "dwóch różnych kart i przeglądarek.",
            "Proszę o usunięcie mojego konta i wszystkich moich danych osobowych.",
            "Aplikacja zawiesza się za każdym razem, gdy otwieram historię zamówień.",
        ),
        "product_question": (
            "Pytanie o produkt: {product}. Czy jest jeszcze dostępny? Na stronie jest informacja "
            "„wkrótce dostępny”, ale kiedy dokładnie?",
            "Jaki okres gwarancji ma produkt {product}?",
            "Jeśli zamówię dzisiaj produkt {product}, czy dotrze przed świętami?",
            "Czy mogą Państwo podać dokładne wymiary produktu {product}? Nie ma ich na stronie.",
        ),
    },
    order_refs=(
        "Numer zamówienia: {order}",
        "Mój numer zamówienia to {order}.",
        "(zamówienie nr {order})",
    ),
    chasers=(
        "Czy jest coś nowego w mojej sprawie? Nadal nie mam odpowiedzi.",
        "Nadal czekam na odpowiedź w sprawie zamówienia {order}.",
        "Ponawiam pytanie z mojej poprzedniej wiadomości.",
        "Proszę o pilną odpowiedź.",
    ),
    chat_nudges=("halo?", "jest tam ktoś?", "dalej czekam...", "??"),
    order_afterthoughts=(
        "Zapomnia[[łem|łam]] podać numer zamówienia: {order}.",
        "nr zamówienia {order}",
    ),
    phone_callbacks=(
        "dzwoni[[łem|łam]] już w sprawie zamówienia {order} i nikt do mnie nie oddzwonił",
        "dzwonię już drugi raz w sprawie zamówienia {order}",
    ),
    frustration=(
        "Piszę do Państwa już trzeci raz!",
        "To jest po prostu skandal.",
        "Jeśli dziś nie dostanę odpowiedzi, składam w banku reklamację transakcji.",
        "Jestem bardzo rozczarowan[[y|a]] obsługą.",
    ),
    phone_openers=(
        "dzień dobry",
        "tak dzień dobry mam pytanie",
        "halo dzień dobry",
    ),
    fillers=("yyy", "eee"),
    short_lines=("Dziękuję!", "Proszę o szybką odpowiedź.", "Pozdrawiam"),
    ago={
        "one": "{n} dzień temu",
        "few": "{n} dni temu",
        "many": "{n} dni temu",
        "other": "{n} dnia temu",
    },
    reply_prefix="Odp: ",
    plain_letters={
        "ą": "a", "ć": "c", "ę": "e", "ł": "l", "ń": "n", "ó": "o", "ś": "s", "ź": "z", "ż": "z",
    },
    first_names_male=(
        "Piotr", "Krzysztof", "Tomasz", "Paweł", "Michał", "Marcin", "Jakub", "Kamil", "Łukasz",
        "Adam",
    ),
    first_names_female=(
        "Anna", "Katarzyna", "Magdalena", "Agnieszka", "Monika", "Joanna", "Aleksandra", "Natalia",
        "Karolina", "Ewa",
    ),
    surnames=(
        ("Kowalski", "Kowalska"), ("Nowak", "Nowak"), ("Wiśniewski", "Wiśniewska"),
        ("Wójcik", "Wójcik"), ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"),
        ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"), ("Dąbrowski", "Dąbrowska"),
        ("Mazur", "Mazur"),
    ),
    products={
        "jacket": "Kurtka zimowa Arctic",
        "smartwatch": "Smartwatch Pulse 3",
        "espresso": "Ekspres do kawy Barista One",
        "robot_vacuum": "Robot sprzątający CleanBot S7",
        "air_fryer": "Frytkownica beztłuszczowa Crisp XL",
        "gaming_mouse": "Mysz gamingowa Falcon M2",
        "backpack": "Plecak trekkingowy Trail 35",
        "bedding": "Komplet pościeli Linnea 200x220",
        "toothbrush": "Szczoteczka soniczna Sonic Clean",
        "tablet": "Tablet Tab 11",
        "desk_lamp": "Lampka biurkowa LED Lumo",
    },
)  # fmt: skip
