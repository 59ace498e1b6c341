"""The scenario file's typed, validated models: unknown keys are errors, paths resolve relative
to the scenario file, ratio strings read as in docs/scenario.md. Everything downstream reads
these objects, never raw dicts."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr,
                      WithJsonSchema, field_validator, model_validator)

from budgetopt import names
from budgetopt.columns import role_clash, wide_roles
from budgetopt.names import check_name
from budgetopt.optimizer.scenario.ratios import parse_ratio
from budgetopt.optimizer.scenario.yaml_text import booleans_as_words


#: Channel, market, group, event and shock names: the rule of `budgetopt.names`, NFC-normalized.
Name = Annotated[
    str,
    AfterValidator(check_name),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": names.MAX_LENGTH,
                    "pattern": r"^[^=+\-@\s/\\][^/\\\u0000-\u001f\u007f]*$",
                    "description": "a name in any script: " + names.RULE}),
]


def _distinct(values, what: str) -> None:
    pair = names.collision(values)
    if pair:
        raise ValueError(f"{what} {names.collision_text(pair)}; spell each the same way "
                         "everywhere, or rename one")


Ratio = Annotated[
    float,
    BeforeValidator(parse_ratio),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0},
                              {"type": "string", "pattern": r"^\s*1\s*:\s*[0-9.]+\s*$"}],
                    "description": "a plain number, or \"1:X\" (spend:return) meaning X"}),
]


Money = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True)]


Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False, strict=True)]


class Spec(BaseModel):
    """Base for every scenario section: unknown keys are errors, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _yaml_words(cls, data):
        return booleans_as_words(cls.model_fields, data)


class Horizon(Spec):
    start: date
    end: date
    period: Literal["day", "week", "month"] = "week"

    @model_validator(mode="after")
    def _ordered(self):
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}; "
                             "the horizon must end on or after the day it starts")
        return self


class Budget(Spec):
    total: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)]
    fixed_share: Share = 0.6
    fixed_rule: Literal["historical", "equal", "explicit", "optimized"] = "historical"
    reserve_share: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False, strict=True)] = 0.0
    overspend_tolerance: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False, strict=True)] = 0.0
    dynamic_min_roi: Ratio | None = None
    fixed: dict[Name, Money] = {}

    @model_validator(mode="after")
    def _pool(self):
        if self.fixed_share + self.reserve_share > 1 + 1e-12:
            raise ValueError(f"fixed_share {self.fixed_share} + reserve_share {self.reserve_share} "
                             "exceed 1; lower one of them so the dynamic pool is not negative")
        if self.fixed and self.fixed_rule != "explicit":
            raise ValueError("'fixed' amounts are only read with fixed_rule: explicit; "
                             "set fixed_rule: explicit or remove 'fixed'")
        if self.fixed_rule == "explicit" and not self.fixed:
            raise ValueError("fixed_rule: explicit needs 'fixed' with a share or amount per channel")
        if self.fixed and self.fixed_pool <= 0:
            raise ValueError("'fixed' gives fixed money but fixed_share is 0; raise fixed_share "
                             "or remove 'fixed'")
        shares = self.explicit_fixed_shares()
        if sum(shares.values()) > 1 + 1e-9:
            listed = " + ".join(f"{c} {s:.0%}" for c, s in shares.items())
            raise ValueError(f"explicit fixed shares sum to {sum(shares.values()):.0%} ({listed}), "
                             "above 100% of the fixed pool; lower them so they sum to at most 1")
        return self

    @property
    def fixed_pool(self) -> float:
        return self.total * self.fixed_share

    @property
    def reserve(self) -> float:
        return self.total * self.reserve_share

    @property
    def dynamic_pool(self) -> float:
        return self.total - self.fixed_pool - self.reserve

    def explicit_fixed_shares(self) -> dict[str, float]:
        """`fixed` as shares of the fixed pool: values ≤ 1 are shares, larger ones amounts."""
        pool = self.fixed_pool
        return {c: (v if v <= 1 else (v / pool if pool > 0 else float("inf")))
                for c, v in self.fixed.items()}


class ChannelRule(Spec):
    min: Money | None = None
    max: Money | None = None
    min_share: Share | None = None
    max_share: Share | None = None
    lock: Money | None = None
    roi_floor: Ratio | None = None
    cac_cap: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)] | None = None
    exclude: bool = False

    @model_validator(mode="after")
    def _consistent(self):
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:,.0f} is above max {self.max:,.0f}; swap or fix them")
        if (self.min_share is not None and self.max_share is not None
                and self.min_share > self.max_share):
            raise ValueError(f"min_share {self.min_share} is above max_share {self.max_share}")
        if self.lock is not None and (self.min is not None or self.max is not None):
            raise ValueError("lock fixes the amount; remove min/max or remove lock")
        if self.exclude and any(v is not None for v in (self.min, self.max, self.min_share,
                                                        self.max_share, self.lock)):
            raise ValueError("an excluded channel gets no money; remove its other rules")
        return self


class Group(Spec):
    channels: Annotated[list[Name], Field(min_length=1)]
    min_share: Share | None = None
    max_share: Share | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if (self.min_share is not None and self.max_share is not None
                and self.min_share > self.max_share):
            raise ValueError(f"min_share {self.min_share} is above max_share {self.max_share}")
        if len(set(self.channels)) != len(self.channels):
            raise ValueError("a channel is listed twice; list each channel once")
        _distinct(self.channels, "channels")
        return self


class Limits(Spec):
    max_change_vs_history: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)] | None = None
    period_max_change: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)] | None = None
    # total spend of all channels in one period: one amount for every period, or amounts keyed
    # by the period's first day
    period_budget_max: Money | dict[date, Money] | None = None

    def period_caps(self) -> dict[str, float]:
        """Caps keyed by ISO period start, or "*" for every period."""
        cap = self.period_budget_max
        if cap is None:
            return {}
        if isinstance(cap, dict):
            return {str(d): float(v) for d, v in cap.items()}
        return {"*": float(cap)}


class Event(Spec):
    name: Name
    date: date
    lower_window: Annotated[int, Field(le=0, ge=-60, strict=True)] = 0
    upper_window: Annotated[int, Field(ge=0, le=60, strict=True)] = 0


class SparkSettings(Spec):
    """Where `forecast.backend: spark` runs: a master URL (default: the active session, else
    local[*]) and how many Spark tasks the units are spread over (default: its parallelism)."""
    master: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    partitions: Annotated[int, Field(ge=1, le=100_000, strict=True)] | None = None


class ForecastSettings(Spec):
    seasonality_mode: Literal["additive", "multiplicative"] = "multiplicative"
    backend: Literal["local", "spark"] = "local"
    spark: SparkSettings = SparkSettings()
    calendar: Literal["builtin", "none"] = "builtin"
    interval_width: Annotated[float, Field(gt=0, lt=1, strict=True)] = 0.8
    # with a market column: each channel's response partially pooled across its markets (a
    # thin market borrows from its siblings); none fits every unit alone. See docs/curves.md
    pooling: Literal["markets", "none"] = "markets"
    # opt-in: channels whose curve the data pin only loosely stay within this change of their
    # historical share of the budget (null, the default: no such limit — the plausible curves
    # and the risk section carry that uncertainty instead); see docs/curves.md
    pilot_change: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False, strict=True)] | None = None


MAX_SAMPLES = 1000


class RiskSettings(Spec):
    """How the plan weighs its plausible curves (docs/optimizer.md, "Risk")."""

    # what the plan maximizes across the plausible curves: their mean, or the mean of the
    # worst `alpha` share (CVaR)
    measure: Literal["mean", "cvar"] = "mean"
    alpha: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False, strict=True)] = 0.2
    samples: Annotated[int, Field(ge=10, le=MAX_SAMPLES, strict=True)] = 100
    # history: CVaR_alpha(plan − historical mix at the same spend) ≥ 0; off: no such row
    guard: Literal["history", "off"] = "history"
    seed: Annotated[int, Field(ge=0, strict=True)] = 0

    @field_validator("guard", mode="before")
    @classmethod
    def _unquoted_off(cls, value):
        """YAML 1.1 reads an unquoted `off` as false: `guard: off` means "off"."""
        return "off" if value is False else value


class SolverSettings(Spec):
    name: Literal["highs", "cbc"] = "highs"
    time_limit_s: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)] = 60.0
    # S-shaped curves: their concave envelope (an LP) or their true shape (a MILP)
    nonconcave: Literal["envelope", "milp"] = "envelope"
    # extra solves on breakpoints refined around the previous plan (0 = one solve)
    refine_rounds: Annotated[int, Field(ge=0, le=3, strict=True)] = 0


class Shock(Spec):
    """A what-if overlay: demand, cost per result and/or the budget change by a fraction."""

    name: Name
    channels: list[Name] | None = None
    demand_change: Annotated[float, Field(gt=-1, le=10, allow_inf_nan=False, strict=True)] | None = None
    cost_change: Annotated[float, Field(gt=-1, le=10, allow_inf_nan=False, strict=True)] | None = None
    budget_change: Annotated[float, Field(gt=-1, le=10, allow_inf_nan=False, strict=True)] | None = None

    @model_validator(mode="after")
    def _something(self):
        if all(v is None for v in (self.demand_change, self.cost_change, self.budget_change)):
            raise ValueError(f"shock {self.name} changes nothing; give demand_change, "
                             "cost_change and/or budget_change, e.g. demand_change: -0.22")
        if self.channels is not None and self.demand_change is None and self.cost_change is None:
            raise ValueError(f"shock {self.name} names channels but only changes the budget; "
                             "remove channels or add demand_change/cost_change")
        if self.channels is not None and len(set(self.channels)) != len(self.channels):
            raise ValueError(f"shock {self.name} lists a channel twice; list each channel once")
        if self.channels == []:
            raise ValueError(f"shock {self.name} has an empty channels list; name at least one "
                             "channel, or leave channels out to shock every channel")
        return self


class ReportSettings(Spec):
    # the language of report.html, plan.xlsx, the charts and the console tables; None: the
    # locale's (LANG), English unless it is Chinese. CSV and JSON outputs are not translated.
    language: Literal["zh", "en"] | None = None
    # CSV outputs start with a UTF-8 byte-order mark so that Excel opens them as UTF-8
    excel_csv: bool = False
    # a ranked table "test these first" (the value of knowing each unit's curve and of a lift
    # test) in the report, workbook and summary.json; `budgetopt experiments` always makes it
    test_suggestions: bool = False
    # how many units are valued (those whose plausible value at the plan spreads widest);
    # the rest are screened out and counted
    test_units: Annotated[int, Field(ge=1, le=1000, strict=True)] = 10


class Scenario(Spec):
    """A whole planning scenario. `history` is resolved against the scenario file's folder."""

    name: Annotated[str, Field(min_length=1)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"
    history: Path
    # a CSV history's text encoding; null detects it (UTF-8 with or without BOM, else GB18030)
    history_encoding: Literal["utf-8", "utf-8-sig", "gb18030", "gbk"] | None = None
    # lift tests (experiments) on the channels, one row per test (docs/scenario.md)
    experiments: Path | None = None
    kpi: Annotated[str, Field(min_length=1)] = "revenue"
    horizon: Horizon
    budget: Budget
    objective: Literal["max_revenue", "max_roi", "max_profit", "target_roi"] = "max_revenue"
    target_roi: Ratio | None = None
    margin: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False, strict=True)] | None = None
    channels: dict[Name, ChannelRule] = {}
    groups: dict[Name, Group] = {}
    limits: Limits = Limits()
    events: list[Event] = []
    forecast: ForecastSettings = ForecastSettings()
    solver: SolverSettings = SolverSettings()
    risk: RiskSettings = RiskSettings()
    shocks: list[Shock] = []
    # total-KPI (wide) histories: one row per date (and market), one spend column per channel;
    # see docs/wide.md
    history_format: Literal["long", "wide"] = "long"
    spend_columns: dict[Name, Annotated[str, Field(min_length=1)]] = {}
    controls: list[Annotated[str, Field(min_length=1)]] = []
    control_values: dict[str, Annotated[float, Field(allow_inf_nan=False, strict=True)]] = {}
    report: ReportSettings = ReportSettings()

    _source: Path | None = PrivateAttr(default=None)
    _raw: bytes | None = PrivateAttr(default=None)

    @field_validator("channels", "groups", "spend_columns", mode="before")
    @classmethod
    def _names(cls, value):
        # before normalization, so two spellings of one name cannot silently merge into one key
        if isinstance(value, dict):
            _distinct([k for k in value if isinstance(k, str)], "keys")
        return value

    @model_validator(mode="after")
    def _objective_needs(self):
        if self.objective == "target_roi" and self.target_roi is None:
            raise ValueError("objective target_roi needs target_roi; add it, e.g. target_roi: \"1:4\"")
        if self.objective == "max_profit" and self.margin is None:
            raise ValueError("objective max_profit needs margin; add it, e.g. margin: 0.3")
        return self

    @model_validator(mode="after")
    def _shares_fit(self):
        floors = {c: r.min_share for c, r in self.channels.items() if r.min_share}
        if sum(floors.values()) > 1 + 1e-9:
            listed = " + ".join(f"{c} {s:.0%}" for c, s in floors.items())
            raise ValueError(f"channel min_share values sum to {sum(floors.values()):.0%} "
                             f"({listed}), above 100%; lower them so they sum to at most 1")
        for name, group in self.groups.items():
            excluded = [c for c in group.channels if c in self.channels and self.channels[c].exclude]
            if excluded and group.min_share:
                raise ValueError(f"group {name} has a min_share but includes excluded "
                                 f"channel(s) {', '.join(excluded)}; remove them from the group")
        return self

    @model_validator(mode="after")
    def _wide_keys(self):
        if self.history_format == "long":
            used = [k for k in ("spend_columns", "controls", "control_values") if getattr(self, k)]
            if used:
                raise ValueError(f"{used[0]} is only read with history_format: wide; set "
                                 "history_format: wide or remove it")
            return self
        if not self.spend_columns:
            raise ValueError("history_format: wide needs spend_columns; map each channel to its "
                             "spend column, e.g. spend_columns: {search_ads: spend_search}")
        if "total" in self.spend_columns:
            raise ValueError("channel name 'total' is reserved in wide form (outputs show the "
                             "total KPI under it); rename the channel")
        clash = role_clash(wide_roles(self.kpi, self.spend_columns, self.controls))
        if clash:
            raise ValueError("; ".join(clash))
        unknown = sorted(set(self.control_values) - set(self.controls))
        if unknown:
            raise ValueError(f"control_values names {unknown[0]!r}, which is not in controls; "
                             "add it to controls or remove it")
        return self

    @model_validator(mode="after")
    def _shock_names(self):
        names = [s.name for s in self.shocks]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"shock name(s) {', '.join(twice)} used twice; give each shock "
                             "its own name")
        return self

    @property
    def source(self) -> Path | None:
        return self._source

    @property
    def base_dir(self) -> Path:
        return self._source.parent if self._source else Path.cwd()

    @property
    def history_path(self) -> Path:
        return self.history if self.history.is_absolute() else self.base_dir / self.history

    @property
    def experiments_path(self) -> Path | None:
        if self.experiments is None:
            return None
        return (self.experiments if self.experiments.is_absolute()
                else self.base_dir / self.experiments)

    def rule(self, channel: str) -> ChannelRule:
        return self.channels.get(channel, ChannelRule())

    def with_source(self, source: Path | None) -> "Scenario":
        self._source = source
        return self

    @property
    def raw(self) -> bytes | None:
        """The file's exact bytes when the scenario was read from a file (kept with the outputs
        so a run can be reproduced from its own directory)."""
        return self._raw
