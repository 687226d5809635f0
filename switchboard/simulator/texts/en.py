"""English (Ireland, and everyone's second language)."""

from switchboard.simulator.texts.pack import LanguagePack

PACK = LanguagePack(
    code="en",
    locale="en_IE",
    date_skeleton="dMMMM",
    greetings=("Hello,", "Hi,", "Hi there,", "Dear Nordvale team,"),
    casual_greetings=("hi", "hello", "hey there"),
    closings=(
        "Thanks,\n{first}",
        "Kind regards,\n{name}",
        "Best wishes,\n{name}",
        "Thank you in advance.\n{first}",
        "Cheers,\n{first}",
    ),
    subjects={
        "orders_shipping": (
            "Where is my order {order}?",
            "Order not delivered yet",
            "Delivery status of my order",
        ),
        "returns_refunds": (
            "Return request - order {order}",
            "Refund still not received",
            "Damaged item",
        ),
        "payments_billing": (
            "Charged twice",
            "Payment problem with order {order}",
            "Invoice request",
        ),
        "account_technical": ("Can't log in", "Problem with my account", "Error at checkout"),
        "product_question": (
            "Question about the {product}",
            "Stock question",
            "Question before ordering",
        ),
    },
    bodies={
        "orders_shipping": (
            "I placed order {order} {ago} and it still hasn't arrived. The tracking hasn't "
            "changed since {date}. Can you tell me where it is?",
            "My parcel with the {product} should have been here by now, but {carrier} still "
            "shows it as in transit. Tracking number: {tracking}.",
            "Could you check the status of my order please? I need it before the weekend, "
            "it's a present.",
            "The tracking says the parcel was delivered, but I haven't received anything. "
            "Nobody left a note and my neighbours don't have it either.",
            "Can I still change the delivery address for order {order}? I won't be at home "
            "next week.",
        ),
        "returns_refunds": (
            "I'd like to return the {product} from order {order}, I changed my mind. How do "
            "I get a return label?",
            "The {product} arrived damaged, the box was completely crushed. I'd like a "
            "replacement or a refund.",
            "I sent my return back {ago} and still haven't received the refund of {amount}. "
            "When will it be processed?",
            "I received the wrong size. I ordered a medium and got an XL. Can I exchange it?",
        ),
        "payments_billing": (
            "I was charged twice for order {order}. {amount} appears two times on my bank "
            "statement, please refund the second payment.",
            "My card payment failed but the money was still taken from my account. Has my "
            "order gone through?",
            "The discount code from your Black Friday newsletter didn't work at checkout. "
            "Can you still apply it to order {order}?",
            "Could you send me an invoice with my company's VAT number for order {order}?",
            "I paid by bank transfer {ago} but the order still says awaiting payment.",
        ),
        "account_technical": (
            "I can't log in to my account. The password reset email never arrives, and I've "
            "checked the spam folder too.",
            "The checkout keeps showing an error when I press Pay. I've tried two different "
            "cards and browsers.",
            "Please close my account and delete my personal data.",
            "Your app crashes every time I open my order history.",
        ),
        "product_question": (
            "Do you still have the {product} in stock? The page says available soon, when "
            "exactly?",
            "How long is the warranty on the {product}?",
            "If I order the {product} today, will it arrive before Christmas?",
            "Could you tell me the exact dimensions of the {product}? I couldn't find them "
            "on the product page.",
        ),
    },
    order_refs=("Order number: {order}", "My order number is {order}.", "(order {order})"),
    chasers=(
        "Any update on this? I still haven't heard back.",
        "Hello, I'm still waiting for an answer about order {order}.",
        "Just following up on my previous message.",
        "Please answer, it's urgent.",
    ),
    chat_nudges=("hello?", "is anyone there?", "still waiting...", "??"),
    order_afterthoughts=(
        "I forgot to add the order number: {order}.",
        "order number is {order}",
    ),
    phone_callbacks=(
        "I called about order {order} already and nobody got back to me",
        "this is the second time I'm calling about order {order}",
    ),
    frustration=(
        "This is the third time I'm contacting you!",
        "This is absolutely unacceptable.",
        "If I don't hear back today I'll open a dispute with my bank.",
        "Very disappointed with your service.",
    ),
    phone_openers=(
        "hi yes hello",
        "hello I have a question",
        "yeah hi so",
    ),
    fillers=("um", "uh"),
    short_lines=("Thanks!", "Please reply asap.", "Thank you"),
    ago={"one": "{n} day ago", "other": "{n} days ago"},
    reply_prefix="Re: ",
    plain_letters={},
    first_names_male=(
        "James", "Conor", "Jack", "Daniel", "Liam", "Ryan", "Sean", "Thomas", "Michael", "Oliver",
    ),
    first_names_female=(
        "Emma", "Sophie", "Aoife", "Grace", "Hannah", "Chloe", "Sarah", "Megan", "Ciara", "Laura",
    ),
    surnames=tuple(
        (name, name)
        for name in (
            "Murphy", "Kelly", "O'Brien", "Walsh", "Byrne", "Ryan", "Smith", "Doyle",
            "Kennedy", "Taylor",
        )
    ),
    products={
        "jacket": "Arctic winter jacket",
        "smartwatch": "Pulse 3 smartwatch",
        "espresso": "Barista One espresso machine",
        "robot_vacuum": "CleanBot S7 robot vacuum",
        "air_fryer": "Crisp XL air fryer",
        "gaming_mouse": "Falcon M2 gaming mouse",
        "backpack": "Trail 35 hiking backpack",
        "bedding": "Linnea bedding set 200x220",
        "toothbrush": "Sonic Clean electric toothbrush",
        "tablet": "Tab 11 tablet",
        "desk_lamp": "Lumo LED desk lamp",
    },
)  # fmt: skip
