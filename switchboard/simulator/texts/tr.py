"""Turkish."""

from switchboard.simulator.texts.pack import LanguagePack

PACK = LanguagePack(
    code="tr",
    locale="tr_TR",
    date_skeleton="dMMMM",
    greetings=("Merhaba,", "İyi günler,", "Merhabalar,", "Selam,"),
    casual_greetings=("merhaba", "selam", "iyi akşamlar"),
    closings=(
        "Teşekkürler,\n{first}",
        "Saygılarımla,\n{name}",
        "Şimdiden teşekkür ederim.\n{name}",
        "İyi çalışmalar,\n{first}",
    ),
    subjects={
        "orders_shipping": (
            "{order} numaralı siparişim nerede?",
            "Kargom hâlâ gelmedi",
            "Sipariş durumu",
        ),
        "returns_refunds": (
            "İade talebi – sipariş {order}",
            "İade tutarı hesabıma yatmadı",
            "Ürün hasarlı geldi",
        ),
        "payments_billing": (
            "Kartımdan iki kez çekim yapıldı",
            "Ödeme sorunu",
            "{order} numaralı sipariş için fatura",
        ),
        "account_technical": (
            "Giriş yapamıyorum",
            "Hesabımla ilgili sorun",
            "Ödeme sırasında hata",
        ),
        "product_question": (
            "Ürün hakkında soru: {product}",
            "Ürün stokta var mı?",
            "Sipariş öncesi soru",
        ),
    },
    bodies={
        "orders_shipping": (
            "{order} numaralı siparişi {ago} verdim ama hâlâ elime ulaşmadı. Kargo takip bilgisi "
            "{date} tarihinden beri değişmedi. Paketin nerede olduğunu kontrol edebilir misiniz?",
            "Paketimin ({product}) çoktan gelmiş olması gerekiyordu ama {carrier} hâlâ yolda "
            "gösteriyor. Takip numarası: {tracking}.",
            "Siparişimin durumunu kontrol edebilir misiniz? Hafta sonundan önce elimde olması "
            "lazım, hediye olacak.",
            "Kargo takipte teslim edildi yazıyor ama bana hiçbir şey gelmedi. Kapıya not "
            "bırakılmamış, komşularda da yok.",
            "{order} numaralı siparişin teslimat adresini hâlâ değiştirebilir miyim? Önümüzdeki "
            "hafta evde olmayacağım.",
        ),
        "returns_refunds": (
            "{order} numaralı siparişteki ürünü ({product}) iade etmek istiyorum. İade kodunu "
            "nasıl alabilirim?",
            "Ürün ({product}) hasarlı geldi, kutusu tamamen ezilmişti. Değişim ya da para iadesi "
            "istiyorum.",
            "İade paketini {ago} gönderdim ama {amount} tutarındaki iade hâlâ hesabıma yatmadı. "
            "Ne zaman yatar?",
            "Yanlış beden geldi: M sipariş ettim, XL geldi. Değiştirebilir miyim?",
        ),
        "payments_billing": (
            "{order} numaralı sipariş için kartımdan iki kez {amount} çekildi. Fazla çekilen "
            "tutarın iadesini rica ediyorum.",
            "Kartla ödeme başarısız oldu ama para hesabımdan çekildi. Siparişim onaylandı mı?",
            "Black Friday bülteninizdeki indirim kodu ödeme sayfasında çalışmadı. {order} "
            "numaralı siparişe sonradan uygulayabilir misiniz?",
            "{order} numaralı sipariş için şirketim adına fatura kesebilir misiniz? Vergi "
            "numarasını ayrıca göndereceğim.",
            "{ago} havale ile ödeme yaptım ama sipariş hâlâ \"ödeme bekleniyor\" görünüyor.",
        ),
        "account_technical": (
            "Hesabıma giriş yapamıyorum. Şifre sıfırlama e-postası hiç gelmiyor, spam klasörüne "
            "de baktım.",
            "Ödeme sırasında \"Öde\" butonuna basınca sürekli hata veriyor. İki farklı kart ve "
            "tarayıcı denedim.",
            "Lütfen hesabımı ve tüm kişisel verilerimi silin.",
            "Uygulamanız sipariş geçmişini her açtığımda çöküyor.",
        ),
        "product_question": (
            "{product} hâlâ stokta var mı? Sayfada \"yakında stokta\" yazıyor, tam olarak ne "
            "zaman?",
            "{product} için garanti süresi ne kadar?",
            "{product} için bugün sipariş verirsem yılbaşından önce gelir mi?",
            "{product} için tam ölçüleri yazabilir misiniz? Ürün sayfasında bulamadım.",
        ),
    },
    order_refs=("Sipariş numarası: {order}", "Sipariş numaram {order}.", "(sipariş no: {order})"),
    chasers=(
        "Bir gelişme var mı? Hâlâ cevap alamadım.",
        "{order} numaralı siparişim hakkında hâlâ cevap bekliyorum.",
        "Önceki mesajımı tekrar hatırlatırım.",
        "Lütfen acil dönüş yapın.",
    ),
    chat_nudges=("merhaba?", "kimse yok mu?", "hâlâ bekliyorum...", "??"),
    order_afterthoughts=(
        "Sipariş numarasını yazmayı unuttum: {order}.",
        "sipariş no {order}",
    ),
    phone_callbacks=(
        "{order} numaralı sipariş için daha önce aradım ama kimse dönüş yapmadı",
        "{order} numaralı sipariş için ikinci kez arıyorum",
    ),
    frustration=(
        "Size üçüncü kez yazıyorum!",
        "Bu kesinlikle kabul edilemez.",
        "Bugün cevap alamazsam bankama itiraz edeceğim.",
        "Hizmetinizden çok hayal kırıklığına uğradım.",
    ),
    phone_openers=(
        "merhaba",
        "iyi günler bir sorum var",
        "alo merhaba",
    ),
    fillers=("ıı", "şey"),
    short_lines=("Teşekkürler!", "Lütfen hızlı dönüş yapın.", "Teşekkür ederim"),
    ago={"one": "{n} gün önce", "other": "{n} gün önce"},
    reply_prefix="Ynt: ",
    plain_letters={
        "ç": "c", "Ç": "C", "ğ": "g", "Ğ": "G", "ı": "i", "İ": "I", "ö": "o", "Ö": "O", "ş": "s",
        "Ş": "S", "ü": "u", "Ü": "U", "â": "a",
    },
    first_names_male=(
        "Mehmet", "Mustafa", "Ahmet", "Emre", "Burak", "Murat", "Can", "Oğuz", "Serkan", "Kerem",
    ),
    first_names_female=(
        "Ayşe", "Fatma", "Zeynep", "Elif", "Merve", "Esra", "Büşra", "Ceren", "Deniz", "Selin",
    ),
    surnames=tuple(
        (name, name)
        for name in (
            "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk", "Arslan",
            "Doğan",
        )
    ),
    products={
        "jacket": "Arctic Kışlık Mont",
        "smartwatch": "Pulse 3 Akıllı Saat",
        "espresso": "Barista One Espresso Makinesi",
        "robot_vacuum": "CleanBot S7 Robot Süpürge",
        "air_fryer": "Crisp XL Airfryer",
        "gaming_mouse": "Falcon M2 Oyuncu Mouse",
        "backpack": "Trail 35 Trekking Sırt Çantası",
        "bedding": "Linnea Nevresim Takımı 200x220",
        "toothbrush": "Sonic Clean Elektrikli Diş Fırçası",
        "tablet": "Tab 11 Tablet",
        "desk_lamp": "Lumo LED Masa Lambası",
    },
)  # fmt: skip
