"""One first contact and everything that follows it: the conversation's messages,
follow-ups in the same thread, and duplicate deliveries."""

from __future__ import annotations

import dataclasses
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from schemas.base import Channel
from schemas.topics import inbound_name
from switchboard.simulator import compose
from switchboard.simulator.customers import SimCustomer, new_customer
from switchboard.simulator.data import mix, threads
from switchboard.simulator.data.logistics import MARKETPLACES, SHOP_ORDER_PATTERN, TRACKING_PATTERNS
from switchboard.simulator.data.markets import Market
from switchboard.simulator.ids import fill_pattern, weighted_choice
from switchboard.simulator.model import GroundTruth, SimMessage
from switchboard.simulator.params import TrafficParams
from switchboard.simulator.payloads import Order, build_payload, message_key, start_thread
from switchboard.simulator.season import Season
from switchboard.simulator.texts import PACKS, PRODUCT_KEYS


def _price(rng: random.Random, median: float) -> Decimal:
    value = rng.lognormvariate(math.log(median), mix.ORDER_VALUE_SIGMA)
    return Decimal(max(1, int(value))) + Decimal(rng.choice(("0.00", "0.49", "0.90", "0.99")))


def _millis(at: datetime) -> datetime:
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


@dataclass
class MarketStream:
    """Builds the conversations of one market, in arrival order, from one generator."""

    rng: random.Random
    market: Market
    params: TrafficParams
    season: Season
    end: datetime
    customers: list[SimCustomer] = field(default_factory=list)
    conversations: int = 0

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.market.timezone)

    def conversation(self, at: datetime) -> list[SimMessage]:
        """Every delivery caused by a first contact at ``at`` that falls before ``end``."""
        rng = self.rng
        at = _millis(at)
        conversation_id = f"{self.market.code}-{self.conversations:06d}"
        self.conversations += 1
        customer = self._customer()
        local = at.astimezone(self.zone)
        channel = self._channel(local)
        skill = weighted_choice(rng, self.season.skill_weights(local.date(), channel))
        marketplace = (
            weighted_choice(rng, self.market.marketplaces)
            if channel is Channel.MARKETPLACE
            else None
        )
        order = self._order(customer, skill, marketplace)
        facts = self._facts(customer, skill, order, local.date())
        writer = compose.Writer(
            PACKS[customer.language], customer.gender, customer.first_name, customer.name
        )
        subject = compose.subject(rng, skill, writer, facts)
        ids = start_thread(
            rng,
            channel,
            customer,
            skill=skill,
            marketplace=marketplace,
            order=order,
            subject=subject,
        )
        busy = self.season.multiplier(local.date()) >= 3
        truth = GroundTruth(
            market=self.market.code,
            timezone=self.market.timezone,
            language=customer.language,
            skill=skill,
            tier=customer.tier,
            customer_id=customer.id,
            conversation_id=conversation_id,
            message_index=0,
            marketplace=marketplace,
            order_id=order.id if order else None,
            order_value=order.value if order else None,
            currency=order.currency if order else None,
        )

        messages: list[SimMessage] = []
        # A caller's second call is only recognisable by the order number keyed in.
        threadable = ids.order is not None or channel is not Channel.PHONE
        times = self._thread_times(channel, at, threadable)
        for index, sent_at in enumerate(times):
            style = self._style(channel, customer, follow_up=index > 0, busy=busy)
            afterthought = False
            if index > 0 and order is not None and facts.order is None:
                # A caller calling again names the order keyed in; a writer may send
                # the order number the first message lacked.
                afterthought = channel is not Channel.PHONE and rng.random() < 0.5
                if afterthought or channel is Channel.PHONE:
                    facts = dataclasses.replace(facts, order=order.id)
            if index == 0:
                text = compose.first_message(
                    rng,
                    channel,
                    skill,
                    writer,
                    facts=facts,
                    style=style,
                    public_post=ids.social_kind == "post",
                )
            else:
                text = compose.follow_up(
                    rng, channel, writer, facts=facts, style=style, afterthought=afterthought
                )
                if channel is Channel.EMAIL:
                    ids.subject = compose.reply_subject(writer, subject)
            payload = build_payload(rng, ids, index, sent_at, text)
            message = SimMessage(
                sim_id=f"{conversation_id}-{index}",
                at=sent_at,
                channel=channel,
                topic=inbound_name(channel),
                key=message_key(payload),
                payload=payload,
                truth=truth.model_copy(
                    update={
                        "message_index": index,
                        "follow_up_of": messages[-1].sim_id if messages else None,
                        "frustrated": style.frustrated,
                        "shouting": style.shouting,
                        "typos": style.typos,
                        "plain_letters": style.plain_letters,
                        "foreign_line": style.foreign_line is not None,
                    }
                ),
            )
            messages.append(message)
        return messages + self._duplicates(messages)

    def _customer(self) -> SimCustomer:
        if self.customers and self.rng.random() < mix.RETURNING_CUSTOMER_SHARE:
            return self.rng.choice(self.customers)
        customer = new_customer(
            self.rng, self.market, f"{self.market.code}-cust-{len(self.customers):06d}"
        )
        self.customers.append(customer)
        return customer

    def _channel(self, local: datetime) -> Channel:
        weights = dict(self.market.channels)
        opens, closes = mix.PHONE_HOURS
        if not opens <= local.hour < closes:
            weights.pop(Channel.PHONE, None)
        return weighted_choice(self.rng, weights)

    def _order(self, customer: SimCustomer, skill: str, marketplace: str | None) -> Order | None:
        rng = self.rng
        if (
            marketplace is None
            and skill == "product_question"
            and rng.random() >= mix.PRESALE_ORDER_SHARE
        ):
            return None
        pattern = MARKETPLACES[marketplace].order_pattern if marketplace else SHOP_ORDER_PATTERN
        median = self.market.order_value_median * mix.TIER_ORDER_VALUE_FACTOR[customer.tier]
        value = _price(rng, median)
        if self.market.currency in mix.WHOLE_CURRENCIES:
            value = Decimal(int(value))
        return Order(fill_pattern(rng, pattern), value, self.market.currency)

    def _facts(
        self, customer: SimCustomer, skill: str, order: Order | None, today: date
    ) -> compose.Facts:
        rng = self.rng
        low, high = mix.DAYS_SINCE_ORDER[skill]
        days_ago = rng.randint(low, high)
        carrier = weighted_choice(rng, self.market.carriers)
        mentioned = order is not None and rng.random() < mix.ORDER_MENTIONED[skill]
        amount = order.value if order else _price(rng, self.market.order_value_median)
        return compose.Facts(
            order=order.id if order and mentioned else None,
            product_key=rng.choice(PRODUCT_KEYS),
            order_date=today - timedelta(days=days_ago),
            days_ago=days_ago,
            amount=amount,
            currency=self.market.currency,
            carrier=carrier,
            tracking=fill_pattern(rng, TRACKING_PATTERNS[carrier]),
        )

    def _thread_times(self, channel: Channel, first: datetime, threadable: bool) -> list[datetime]:
        """When the customer writes: the first contact, then follow-ups, before ``end``."""
        rng = self.rng
        shape = self.params.follow_ups[channel]
        times = [first]
        chance = shape.first_share if threadable else 0.0
        while len(times) <= shape.max_follow_ups and rng.random() < chance:
            minutes = rng.lognormvariate(math.log(shape.median_delay_minutes), shape.delay_sigma)
            at = _millis(times[-1] + timedelta(minutes=minutes))
            if channel is Channel.PHONE:
                at = self._phone_open(at)
            if at >= self.end:
                break
            times.append(at)
            chance = shape.again_share
        return times

    def _phone_open(self, at: datetime) -> datetime:
        """``at``, or the next opening of the phone lines if they are closed then."""
        opens, closes = mix.PHONE_HOURS
        local = at.astimezone(self.zone)
        if opens <= local.hour < closes:
            return at
        day = local.date() + timedelta(days=1 if local.hour >= closes else 0)
        opening = datetime(day.year, day.month, day.day, opens, tzinfo=self.zone)
        return _millis(opening + timedelta(minutes=self.rng.uniform(0, 90)))

    def _style(
        self, channel: Channel, customer: SimCustomer, *, follow_up: bool, busy: bool
    ) -> compose.Style:
        rng = self.rng
        frustrated_share = (
            mix.FRUSTRATED_FOLLOW_UP_SHARE
            if follow_up
            else mix.FRUSTRATED_SHARE + (mix.FRUSTRATED_PEAK_EXTRA if busy else 0.0)
        )
        frustrated = rng.random() < frustrated_share
        shouting = frustrated and rng.random() < mix.SHOUTING_SHARE
        if channel is Channel.PHONE:
            # A transcript carries the recogniser's spelling, not the caller's typing.
            return compose.Style(frustrated=frustrated)
        pack = PACKS[customer.language]
        foreign = None
        if rng.random() < mix.MIXED_LANGUAGE_SHARE:
            others = {
                code: weight
                for code, weight in customer.market.languages.items()
                if code != customer.language
            } or {"en": 1.0}
            foreign = rng.choice(PACKS[weighted_choice(rng, others)].short_lines)
        return compose.Style(
            typos=rng.random() < mix.TYPO_SHARE[channel],
            plain_letters=bool(pack.plain_letters)
            and rng.random() < mix.PLAIN_LETTERS_SHARE[channel],
            frustrated=frustrated,
            shouting=shouting,
            foreign_line=foreign,
        )

    def _duplicates(self, messages: list[SimMessage]) -> list[SimMessage]:
        """Second deliveries of the same payload, as a retrying connector makes them."""
        rng = self.rng
        copies: list[SimMessage] = []
        for message in messages:
            if rng.random() >= self.params.duplicate_share[message.channel]:
                continue
            if rng.random() < threads.DUPLICATE_REPLAY_SHARE:
                delay = timedelta(minutes=rng.uniform(*threads.DUPLICATE_REPLAY_MINUTES))
            else:
                delay = timedelta(
                    seconds=rng.lognormvariate(
                        math.log(threads.DUPLICATE_RETRY_MEDIAN_SECONDS),
                        threads.DUPLICATE_RETRY_SIGMA,
                    )
                )
            at = _millis(message.at + delay)
            if at >= self.end:
                continue
            copies.append(
                message.model_copy(
                    update={
                        "sim_id": f"{message.sim_id}-dup",
                        "at": at,
                        "truth": message.truth.model_copy(
                            update={"is_duplicate": True, "duplicate_of": message.sim_id}
                        ),
                    }
                )
            )
        return copies
