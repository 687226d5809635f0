"""Finnish."""

from switchboard.simulator.texts.pack import LanguagePack

PACK = LanguagePack(
    code="fi",
    locale="fi_FI",
    date_skeleton="dMMMM",
    greetings=("Hei!", "Hei,", "Moi,", "Hyvää päivää,"),
    casual_greetings=("hei", "moi", "moikka"),
    closings=(
        "Kiitos!\n{first}",
        "Ystävällisin terveisin\n{name}",
        "Terveisin\n{name}",
        "Kiitos jo etukäteen!\n{first}",
        "t. {first}",
    ),
    subjects={
        "orders_shipping": (
            "Missä tilaukseni {order} on?",
            "Paketti ei ole vielä tullut",
            "Tilauksen tila",
        ),
        "returns_refunds": (
            "Palautus – tilaus {order}",
            "Hyvitystä ei ole tullut",
            "Tuote saapui rikki",
        ),
        "payments_billing": (
            "Veloitettu kahdesti",
            "Ongelma maksussa",
            "Lasku tilaukselle {order}",
        ),
        "account_technical": ("En pääse kirjautumaan", "Ongelma tilini kanssa", "Virhe maksaessa"),
        "product_question": (
            "Kysymys tuotteesta: {product}",
            "Onko tuote varastossa?",
            "Kysymys ennen tilausta",
        ),
    },
    bodies={
        "orders_shipping": (
            "Tein tilauksen {order} {ago}, eikä se ole vieläkään tullut. Seurantatieto ei ole "
            "muuttunut {date} jälkeen. Voisitteko tarkistaa, missä paketti on?",
            "Paketin ({product}) olisi pitänyt tulla jo aikaa sitten, mutta {carrier} näyttää "
            "yhä, että se on matkalla. Seurantatunnus: {tracking}.",
            "Voisitteko tarkistaa tilaukseni tilan? Tarvitsen sen ennen viikonloppua, se on lahja.",
            "Seurannan mukaan paketti on toimitettu, mutta en ole saanut mitään. "
            "Pakettiautomaatissa sitä ei ollut, eikä ilmoitustakaan tullut.",
            "Voiko tilauksen {order} toimitusosoitetta vielä muuttaa? En ole ensi viikolla kotona.",
        ),
        "returns_refunds": (
            "Haluaisin palauttaa tuotteen tilauksesta {order} ({product}). Mistä saan "
            "palautustarran?",
            "Tuote ({product}) saapui rikkinäisenä, laatikko oli aivan ruttuun painunut. "
            "Haluaisin uuden tuotteen tai rahat takaisin.",
            "Lähetin palautuksen {ago}, mutta hyvitystä ({amount}) ei ole vieläkään tullut. "
            "Milloin rahat palautetaan?",
            "Sain väärän koon: tilasin M-koon, mutta tuli XL. Voinko vaihtaa sen?",
        ),
        "payments_billing": (
            "Tilauksesta {order} veloitettiin tililtäni kahdesti {amount}. Palauttakaa "
            "ylimääräinen veloitus.",
            "Korttimaksu epäonnistui, mutta rahat lähtivät silti tililtä. Menikö tilaus läpi?",
            "Black Friday -uutiskirjeen alennuskoodi ei toiminut kassalla. Voisitteko lisätä "
            "alennuksen jälkikäteen tilaukseen {order}?",
            "Voisitteko lähettää tilauksesta {order} laskun yrityksen nimellä? Y-tunnuksen "
            "lähetän erikseen.",
            "Maksoin tilisiirrolla {ago}, mutta tilauksen tila on edelleen ”odottaa maksua”.",
        ),
        "account_technical": (
            "En pääse kirjautumaan tililleni. Salasanan palautusviesti ei tule perille, eikä sitä "
            "ole roskapostissakaan.",
            "Kassalla tulee aina virhe, kun painan ”Maksa”. Kokeilin kahta eri korttia ja "
            "selainta.",
            "Poistakaa tilini ja kaikki henkilötietoni.",
            "Sovelluksenne kaatuu aina, kun avaan tilaushistorian.",
        ),
        "product_question": (
            "Onko tuote {product} vielä varastossa? Sivulla lukee ”saatavilla pian” – milloin "
            "tarkalleen?",
            "Kuinka pitkä takuu tuotteella {product} on?",
            "Jos tilaan tuotteen {product} tänään, ehtiikö se perille ennen joulua?",
            "Voisitteko kertoa tuotteen {product} tarkat mitat? En löytänyt niitä tuotesivulta.",
        ),
    },
    order_refs=("Tilausnumero: {order}", "Tilausnumeroni on {order}.", "(tilaus {order})"),
    chasers=(
        "Onko mitään uutta? En ole vieläkään saanut vastausta.",
        "Odotan yhä vastausta tilauksesta {order}.",
        "Kysyn uudelleen edellisen viestini asiaa.",
        "Vastatkaa pian, asia on kiireellinen.",
    ),
    chat_nudges=(
        "haloo?",
        "onko siellä ketään?",
        "odotan edelleen...",
        "??",
    ),
    order_afterthoughts=(
        "Unohdin lisätä tilausnumeron: {order}.",
        "tilausnumero {order}",
    ),
    phone_callbacks=(
        "soitin jo tilauksesta {order} eikä kukaan soittanut takaisin",
        "soitan jo toista kertaa tilauksesta {order}",
    ),
    frustration=(
        "Kirjoitan teille jo kolmatta kertaa!",
        "Tämä on täysin kestämätöntä.",
        "Jos en saa vastausta tänään, teen maksusta reklamaation pankkiin.",
        "Olen todella pettynyt palveluunne.",
    ),
    phone_openers=(
        "hei",
        "joo hei mulla olis kysymys",
        "hei joo",
    ),
    fillers=("öö", "tota"),
    short_lines=("Kiitos!", "Vastatkaa pian.", "Kiitos etukäteen"),
    ago={"one": "{n} päivä sitten", "other": "{n} päivää sitten"},
    reply_prefix="Vs: ",
    plain_letters={"ä": "a", "ö": "o", "å": "a"},
    first_names_male=(
        "Mikko", "Juha", "Antti", "Jussi", "Ville", "Matti", "Janne", "Teemu", "Lauri", "Eetu",
    ),
    first_names_female=(
        "Anna", "Laura", "Emilia", "Sanna", "Johanna", "Maria", "Elina", "Aino", "Noora", "Heidi",
    ),
    surnames=tuple(
        (name, name)
        for name in (
            "Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
            "Heikkinen", "Koskinen", "Järvinen",
        )
    ),
    products={
        "jacket": "Talvitakki Arctic",
        "smartwatch": "Älykello Pulse 3",
        "espresso": "Espressokeitin Barista One",
        "robot_vacuum": "Robotti-imuri CleanBot S7",
        "air_fryer": "Airfryer Crisp XL",
        "gaming_mouse": "Pelihiiri Falcon M2",
        "backpack": "Vaellusreppu Trail 35",
        "bedding": "Pussilakanasetti Linnea 200x220",
        "toothbrush": "Sähköhammasharja Sonic Clean",
        "tablet": "Tabletti Tab 11",
        "desk_lamp": "LED-pöytävalaisin Lumo",
    },
)  # fmt: skip
