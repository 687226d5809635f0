"""Partner quality against price: the simulated week routed with and without it.

    python -m bench.partner_quality [--from 2026-11-25 --to 2026-12-01] [--scale 1.0]
                                    [--equal-price 3.20]

The simulated partners differ in quality (``switchboard.simulator`` workforce: first-
contact resolution and CSAT per partner), the desk feeds the simulated customers'
recontacts and ratings back to the router's tallies, and the router weighs the partners'
measured quality against their price (``outsourcing.quality`` of the sample config).
Two settings of the partners' prices, each routed by Switchboard with the quality
weights of the sample config and with them at 0 (price alone):

* the sample prices (Manila 2.60, Riga 3.90, Istanbul 4.20);
* Riga and Manila at the same price (``--equal-price``) and the same proficiency in the
  skills they share, so that without quality their ties go by team id (to Manila, the
  weaker partner) and with it quality alone decides.

Prints per run: breaches, outsourcing cost, the FCR and CSAT the customers gave, what
each partner worked and its busiest contract day against its cap, and tickets sent out
against the data policy.
"""

from __future__ import annotations

import argparse
import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

from bench.desk.report import PolicyResult
from bench.policies import CONFIG, compare, quality_table
from schemas.config import SwitchboardConfig, load_config
from switchboard.simulator import DEMO_FIRST_DAY, DEMO_LAST_DAY

EQUAL_PRICE_TEAMS = ("nearshore-bpo", "manila-247")


def variant(
    base: SwitchboardConfig, *, weighs_quality: bool, equal_price: Decimal | None
) -> SwitchboardConfig:
    data: dict[str, Any] = base.model_dump(mode="json", by_alias=True, exclude_none=True)
    if not weighs_quality:
        data["outsourcing"]["quality"]["repeat_contact_cost"] = "0"
        data["outsourcing"]["quality"]["csat_point_value"] = "0"
    if equal_price is not None:
        twins = [team for team in data["teams"] if team["id"] in EQUAL_PRICE_TEAMS]
        shared = set(twins[0]["skills"]) & set(twins[1]["skills"])
        for team in twins:
            team["cost_per_ticket"] = str(equal_price)
            team["skills"] = {
                skill: (0.8 if skill in shared else level)
                for skill, level in team["skills"].items()
            }
    return SwitchboardConfig.model_validate(data)


def run(
    *, first_day: date, last_day: date, scale: float, equal_price: Decimal
) -> list[tuple[str, PolicyResult]]:
    base = load_config(CONFIG)
    results = []
    for prices, price in (("sample prices", None), (f"Riga = Manila = {equal_price}", equal_price)):
        for weighs in (False, True):
            config = variant(base, weighs_quality=weighs, equal_price=price)
            comparison = compare(
                first_day=first_day,
                last_day=last_day,
                scale=scale,
                policies=["switchboard"],
                config=config,
            )
            label = f"{prices}, {'quality' if weighs else 'price alone'}"
            results.append((label, comparison.result("switchboard")))
    return results


def render(results: list[tuple[str, PolicyResult]]) -> str:
    lines = [
        f"{'run':<40}{'breaches':>9}{'outsourcing':>12}{'against':>8}",
        f"{'':<40}{'':>9}{'cost':>12}{'policy':>8}",
    ]
    for label, r in results:
        lines.append(f"{label:<40}{r.breaches:>9,}{r.cost_partners:>12,.0f}{r.against_policy:>8,}")
    renamed = [_renamed(r, label) for label, r in results]
    choices = [
        "",
        "Overflow decisions with more than one partner fitting, by the partner chosen:",
        *(
            f"{label:<40}"
            + ", ".join(
                f"{kind.removeprefix('partner choice: ')} {n:,}"
                for kind, n in r.decisions.items()
                if kind.startswith("partner choice: ")
            )
            for label, r in results
        ),
    ]
    return "\n".join([*lines, "", *quality_table(renamed), *choices])


def _renamed(result: PolicyResult, label: str) -> PolicyResult:
    return dataclasses.replace(result, policy=label[:25])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="first", type=date.fromisoformat, default=DEMO_FIRST_DAY)
    parser.add_argument("--to", dest="last", type=date.fromisoformat, default=DEMO_LAST_DAY)
    parser.add_argument("--scale", type=float, default=1.0, help="traffic x this")
    parser.add_argument("--equal-price", type=Decimal, default=Decimal("3.20"))
    args = parser.parse_args()
    print(
        render(
            run(
                first_day=args.first,
                last_day=args.last,
                scale=args.scale,
                equal_price=args.equal_price,
            )
        )
    )


if __name__ == "__main__":
    main()
