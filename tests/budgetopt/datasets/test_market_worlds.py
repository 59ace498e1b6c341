"""Market worlds: channels × markets drawn around a channel-level truth, some markets thin,
deterministic per seed, their histories showing the thinness they were drawn with."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from budgetopt.datasets import THIN_KINDS, market_kinds, market_world, noise_free


def test_the_same_seed_gives_the_same_world_and_kinds():
    a, b = market_world(2), market_world(2)
    assert a.channels == b.channels
    assert a.history.to_csv(index=False) == b.history.to_csv(index=False)
    assert market_kinds(2) == market_kinds(2)
    assert market_world(3).channels != a.channels


def test_units_are_channels_by_markets_with_the_requested_history():
    world = market_world(0, channels=4, markets=12, months=18)
    assert len(world.channels) == 48 and world.has_markets
    assert sorted({c.market for c in world.channels}) == [f"m{i:02d}" for i in range(1, 13)]
    assert str(world.end) == "2025-12-31" and str(world.start) == "2024-07-01"
    with pytest.raises(ValueError, match="months must be 12–36"):
        market_world(0, months=6)


def test_markets_scatter_around_their_channel():
    world = market_world(1, channels=3, markets=30)
    kinds = market_kinds(1, channels=3, markets=30)
    for channel in ("ch01", "ch02", "ch03"):
        units = [c for c in world.channels if c.name == channel and kinds[c.key] != "low"]
        roi = np.log([c.typical_roi() for c in units])
        ratio = np.log([c.half_saturation / c.spend_level for c in units])
        # ROI × exp(N(0, 0.15)), half-saturation ÷ spend × exp(N(0, 0.2)): spread, not apart
        assert 0.07 < np.std(roi) < 0.3 and 0.1 < np.std(ratio) < 0.4
        assert len({c.shape for c in units}) == 1 and len({c.hill_n for c in units}) == 1


def test_thin_markets_show_their_kind_in_the_history():
    world = market_world(0, channels=3, markets=30)
    kinds = market_kinds(0, channels=3, markets=30)
    assert set(kinds.values()) == {"strong", *THIN_KINDS}
    assert 0.25 < np.mean([k != "strong" for k in kinds.values()]) < 0.55
    hist = world.history.assign(date=pd.to_datetime(world.history["date"]))
    clean = noise_free(world).history
    for c in world.channels:
        rows = hist[(hist["channel"] == c.name) & (hist["market"] == c.market)]
        spend = rows["spend"].to_numpy()
        kind = kinds[c.key]
        if kind == "short":     # opened 90–120 days before the end
            opened = rows.loc[spend > 0, "date"].min()
            assert 89 <= (rows["date"].max() - opened).days <= 121
            assert (spend[rows["date"].to_numpy() < opened] == 0).all()
        elif kind == "flat":
            weekly = spend[: len(spend) // 7 * 7].reshape(-1, 7).sum(axis=1)
            assert np.std(weekly) / np.mean(weekly) < 0.25
        elif kind == "low":
            assert c.half_saturation / c.spend_level > 2.5 * np.median(
                [u.half_saturation / u.spend_level for u in world.channels
                 if u.name == c.name and kinds[u.key] != "low"])
        elif kind == "noisy":
            assert c.noise_scale == 3.0
            mask = (clean["channel"] == c.name) & (clean["market"] == c.market)
            rel = rows["revenue"].to_numpy() / clean.loc[mask, "revenue"].to_numpy() - 1
            assert np.std(rel) == pytest.approx(3 * world.noise, rel=0.15)
