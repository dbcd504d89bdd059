"""A server-rendered bar chart of monthly cost (SVG geometry; the template draws it)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT, GAP, TOP = 600, 160, 6, 14


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # "2026-11"
    amount: Decimal


def month_bars(months: list[date], amounts: dict[date, Decimal]) -> list[Bar]:
    """One bar per month, scaled to the largest; negative months (credits) draw as zero."""
    peak = max([a for a in amounts.values() if a > 0] or [Decimal(1)])
    slot = WIDTH / max(len(months), 1)
    bars = []
    for i, month in enumerate(months):
        amount = amounts.get(month, Decimal(0))
        height = float(max(amount, Decimal(0)) / peak) * (HEIGHT - TOP)
        bars.append(
            Bar(
                x=round(i * slot + GAP / 2, 1),
                y=round(HEIGHT - height, 1),
                width=round(slot - GAP, 1),
                height=round(height, 1),
                label=month.isoformat()[:7],
                amount=amount,
            )
        )
    return bars
