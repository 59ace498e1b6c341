"""What money is allocated to, shared by every stage: a channel, or a channel × market, and the
one text key (`channel` or `channel/market`) that names it in tables, curves and the LP.
Names never contain `/` (the history checks refuse path separators), so the key splits back."""
from __future__ import annotations

from dataclasses import dataclass, field

KEY_SEPARATOR = "/"


def unit_key(channel: str, market: str | None = None) -> str:
    """`channel`, or `channel/market` for a unit of a market."""
    return channel if market is None else f"{channel}{KEY_SEPARATOR}{market}"


def split_key(key: str) -> tuple[str, str | None]:
    """The (channel, market) a key names; market is None for a plain channel."""
    channel, sep, market = key.partition(KEY_SEPARATOR)
    return (channel, market if sep else None)


@dataclass(frozen=True)
class Unit:
    """What money is allocated to: a channel, or a channel × market."""

    channel: str
    market: str | None = None

    @property
    def key(self) -> str:
        return unit_key(self.channel, self.market)


@dataclass(frozen=True)
class SpendContext:
    """Planned spend, for turning shadow prices of share and ratio rules into money."""

    total: float
    by_channel: dict[str, float]
    incremental_by_channel: dict[str, float] = field(default_factory=dict)
