"""The validated spend/KPI history (docs/scenario.md, "The history"): one `History` whose every
unit has passed the checks, and the column names every history has."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd



REQUIRED = ("date", "channel", "spend")


RESERVED = ("date", "channel", "market", "spend")


FREQ_DAYS = {"D": 1, "W": 7}


@dataclass(frozen=True, eq=False)
class History:
    """Validated history: one row per unit and day (or week), sorted by channel, market, date."""

    frame: pd.DataFrame
    kpi: str
    freq: str
    source: str
    sha256: str | None = None

    @property
    def has_market(self) -> bool:
        return "market" in self.frame.columns

    @property
    def _keys(self) -> list[str]:
        return ["channel", "market"] if self.has_market else ["channel"]

    @property
    def units(self) -> list[tuple[str, str | None]]:
        """Sorted (channel, market) pairs; market is None without a market column."""
        rows = self.frame[self._keys].drop_duplicates().itertuples(index=False)
        return sorted((r[0], r[1] if self.has_market else None) for r in rows)

    @property
    def channels(self) -> list[str]:
        return sorted(self.frame["channel"].unique().tolist())

    @property
    def start(self) -> pd.Timestamp:
        return self.frame["date"].min()

    @property
    def end(self) -> pd.Timestamp:
        return self.frame["date"].max()

    def never_spent(self) -> list[tuple[str, str | None]]:
        """Units whose spend is 0 on every row: no response curve can be learned for them."""
        top = self.frame.groupby(self._keys, sort=True)["spend"].max()
        return [(k[0], k[1] if self.has_market else None)
                for k in (i if isinstance(i, tuple) else (i,) for i in top.index[top == 0])]

    def unit_frame(self, channel: str, market: str | None = None) -> pd.DataFrame:
        """That unit's rows sorted by date; KeyError if the history has no such unit."""
        if (market is None) == self.has_market:
            need = "pass market=" if self.has_market else "this history has no market column"
            raise KeyError(f"unit ({channel!r}, {market!r}) not found: {need}")
        mask = self.frame["channel"] == channel
        if self.has_market:
            mask &= self.frame["market"] == market
        rows = self.frame[mask]
        if rows.empty:
            raise KeyError(f"unit ({channel!r}, {market!r}) not in history; units: {self.units}")
        return rows.sort_values("date", kind="stable").reset_index(drop=True)
