"""Partner quality against price: the effective price the overflow choice ranks by.

A partner's measured first-contact resolution (FCR: resolutions not followed by a
reopen or a repeat contact within the window) and mean CSAT (1-5) over a rolling
window count once they rest on a minimum sample. Its effective price per ticket is

    price + (1 - FCR) x repeat_contact_cost + (5 - CSAT) x csat_point_value

so the weights are what a repeat contact, and one point of satisfaction, are worth.
A partner whose figure does not count yet (too few resolutions or ratings) is taken
at the mean of the partners in the same choice whose figure counts: unknown quality
neither helps nor hurts it. With both weights 0 the choice is by price alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from schemas.config.quality import PartnerQualityConfig

_BEST_CSAT = 5


@dataclass(frozen=True, slots=True)
class QualityFigures:
    """What a team's tallies hold for the rolling window."""

    resolved: int = 0
    recontacted: int = 0  # of those: reopened or contacted again within the FCR window
    ratings: int = 0
    rating_points: int = 0  # the ratings' sum


NO_FIGURES = QualityFigures()


@dataclass(frozen=True, slots=True)
class PartnerQuality:
    fcr: float | None  # None: too few resolutions to count
    csat: float | None  # None: too few ratings to count
    resolved: int
    ratings: int

    def words(self) -> str:
        fcr = f"FCR {self.fcr:.0%} of {self.resolved}" if self.fcr is not None else "FCR n/a"
        csat = f"CSAT {self.csat:.2f} of {self.ratings}" if self.csat is not None else "CSAT n/a"
        return f"{fcr}, {csat}"


def measured(figures: QualityFigures, config: PartnerQualityConfig) -> PartnerQuality:
    fcr = (
        1 - figures.recontacted / figures.resolved
        if figures.resolved >= config.min_resolutions
        else None
    )
    csat = (
        figures.rating_points / figures.ratings if figures.ratings >= config.min_ratings else None
    )
    return PartnerQuality(fcr, csat, figures.resolved, figures.ratings)


def effective_prices(
    options: Sequence[tuple[Decimal, PartnerQuality]], config: PartnerQualityConfig
) -> list[Decimal]:
    """Each option's effective price per ticket, in the order given (rounded to cents)."""
    if not config.weighs_quality:
        return [price for price, _ in options]
    fcrs = [q.fcr for _, q in options if q.fcr is not None]
    csats = [q.csat for _, q in options if q.csat is not None]
    usual_fcr = sum(fcrs) / len(fcrs) if fcrs else 1.0
    usual_csat = sum(csats) / len(csats) if csats else float(_BEST_CSAT)
    prices = []
    for price, quality in options:
        fcr = quality.fcr if quality.fcr is not None else usual_fcr
        csat = quality.csat if quality.csat is not None else usual_csat
        extra = (
            Decimal(str(round(1 - fcr, 4))) * config.repeat_contact_cost
            + Decimal(str(round(_BEST_CSAT - csat, 4))) * config.csat_point_value
        )
        prices.append((price + extra).quantize(Decimal("0.01")))
    return prices
