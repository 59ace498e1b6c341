"""The bundled demo world: 8 channels of an e-commerce shop, three years of daily history.
`scenarios/data/history.csv` is `write_history(demo_world())`; a test keeps them in step."""
from __future__ import annotations

from importlib import resources
from pathlib import Path


from budgetopt.datasets.generate import world_from_truths
from budgetopt.datasets.truth import ChannelTruth
from budgetopt.datasets.worlds import World


DEMO_START = "2023-10-01"


DEMO_END = "2026-09-30"


DEMO_SEED = 1111


DEMO_NOISE = 0.05


DEMO_HISTORY_PATH = Path(str(resources.files("budgetopt.scenarios") / "data" / "history.csv"))


#: The bundled demo's channels. Spend levels sum to 110,000 CNY/day; "typical ROI" is
#: incremental revenue ÷ spend at spend_level and demand index 1.
#:   search_ads      big, near saturation (ROI ≈ 3.5, marginal ≈ 1.3)
#:   display_feed    mid, weak and over-spent (ROI ≈ 2.2, marginal ≈ 1.0)
#:   short_video     mid, far from saturation (ROI ≈ 4.2, marginal ≈ 3.3)
#:   live_streaming  big, near saturation (ROI ≈ 3.0, marginal ≈ 0.8)
#:   kol             mid, weak (ROI ≈ 2.6, marginal ≈ 1.0); carryover 0.4 per day
#:   content_seo     small, high ROI with room to grow (ROI ≈ 7.0, marginal ≈ 5.2);
#:                   carryover 0.5 per day (content keeps working after it is paid for)
#:   social          small, high ROI (ROI ≈ 5.4, marginal ≈ 2.3)
#:   private_domain  small, highest ROI but a limited audience (ROI ≈ 8.4, marginal ≈ 2.9)
DEMO_CHANNELS: tuple[ChannelTruth, ...] = (
    ChannelTruth("search_ads", baseline=180_000, spend_level=30_000, beta=128_000,
                 shape="exp", half_saturation=12_000, season_amplitude=0.12,
                 trend_per_year=0.06, promo_spend_lift=1.8, aov=260),
    ChannelTruth("display_feed", baseline=60_000, spend_level=14_000, beta=72_000,
                 shape="hill", half_saturation=20_000, hill_n=0.8, season_amplitude=0.15,
                 trend_per_year=0.04, promo_spend_lift=1.6, aov=220),
    ChannelTruth("short_video", baseline=90_000, spend_level=16_000, beta=182_000,
                 shape="exp", half_saturation=24_000, season_amplitude=0.18,
                 trend_per_year=0.15, promo_spend_lift=2.0, aov=180),
    ChannelTruth("live_streaming", baseline=120_000, spend_level=25_000, beta=105_000,
                 shape="hill", half_saturation=9_000, hill_n=0.9, season_amplitude=0.20,
                 trend_per_year=0.18, promo_spend_lift=2.4, aov=200),
    ChannelTruth("kol", baseline=40_000, spend_level=12_000, beta=68_000,
                 shape="hill", half_saturation=15_000, hill_n=0.7, season_amplitude=0.15,
                 trend_per_year=0.10, promo_spend_lift=1.9, aov=240, carryover=0.4),
    ChannelTruth("content_seo", baseline=70_000, spend_level=5_000, beta=80_000,
                 shape="exp", half_saturation=6_000, season_amplitude=0.10,
                 trend_per_year=0.06, promo_spend_lift=1.2, aov=280, carryover=0.5),
    ChannelTruth("social", baseline=35_000, spend_level=4_000, beta=38_000,
                 shape="hill", half_saturation=3_000, hill_n=1.0, season_amplitude=0.12,
                 trend_per_year=0.08, promo_spend_lift=1.4, aov=210),
    ChannelTruth("private_domain", baseline=55_000, spend_level=4_000, beta=40_000,
                 shape="exp", half_saturation=1_500, season_amplitude=0.08,
                 trend_per_year=0.10, promo_spend_lift=1.5, aov=320),
)


def demo_world() -> World:
    """The bundled demo: 8 channels, daily, 2023-10-01 … 2026-09-30, noise 0.05, fixed seed."""
    return world_from_truths(DEMO_CHANNELS, DEMO_START, DEMO_END, seed=DEMO_SEED,
                             noise=DEMO_NOISE, freq="D")


def write_history(world: World, path) -> None:
    """Write the world's history as CSV: fixed column order, 2-decimal money, `\\n` endings."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    hist = world.history
    cols = ["date", "channel"] + (["market"] if "market" in hist.columns else []) + [
        "spend", "revenue", "conversions"]
    lines = [",".join(cols)]
    money = {"spend", "revenue"}
    columns = [hist[c].tolist() for c in cols]
    for row in zip(*columns):
        lines.append(",".join(
            f"{v:.2f}" if col in money else str(int(v)) if col == "conversions" else str(v)
            for col, v in zip(cols, row)))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
