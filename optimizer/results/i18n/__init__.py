"""The report's languages: gettext catalogs (compiled with Babel from `locale/*/LC_MESSAGES/
budgetopt.po`) and locale-aware numbers and money. English is the source language (the
message ids), so `en` needs no catalog; `zh` formats money with Babel (¥, and 万 / 亿 in compact
amounts). Presentation only: nothing here knows of the LP."""
from __future__ import annotations

import gettext
import os
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_compact_currency, format_compact_decimal, \
    format_decimal
from babel.support import Translations

from budgetopt.messages import Msg, Worded
from budgetopt.money import currency_sign, money

LANGUAGES = ("en", "zh")
DOMAIN = "budgetopt"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The Babel locale each report language formats numbers and dates in.
BABEL_LOCALES = {"en": "en_US", "zh": "zh_Hans_CN"}


def language_from_environment(environ=None) -> str:
    """`zh` when the locale (LANGUAGE, LC_ALL, LC_MESSAGES, then LANG, the first one set)
    is Chinese, else `en`."""
    environ = os.environ if environ is None else environ
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key, "")
        if value:
            first = value.split(":")[0].lower()
            return "zh" if first.startswith("zh") else "en"
    return "en"


def resolve_language(*choices: str | None, environ=None) -> str:
    """The first language given (command line, then scenario), else the locale's."""
    for choice in choices:
        if choice:
            if choice not in LANGUAGES:
                raise ValueError(f"language {choice!r} is not one of {', '.join(LANGUAGES)}")
            return choice
    return language_from_environment(environ)


@lru_cache(maxsize=None)
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of `language` (English: the message ids themselves)."""
    if language == "en":
        return gettext.NullTranslations()
    found = Translations.load(str(LOCALE_DIR), [language], DOMAIN)
    if not isinstance(found, Translations):
        raise FileNotFoundError(f"no compiled {language} catalog in {LOCALE_DIR}")
    return found


def N_(text: str) -> str:
    """Marks a message id for the catalogs; translated where it is shown."""
    return text


def NC_(context: str, text: str) -> str:
    """Marks a message id with a context (pgettext) for the catalogs."""
    return text


#: Names of KPIs and periods the catalogs translate (others are shown as written).
KNOWN_WORDS = (N_("revenue"), N_("gmv"), N_("sales"), N_("profit"), N_("conversions"),
               N_("conversion"), N_("new_customers"), N_("new_customer"), N_("ROI"),
               N_("day"), N_("week"), N_("month"), N_("max_revenue"), N_("max_roi"),
               N_("max_profit"), N_("target_roi"))

#: Column names, table keys and settings of the other commands' workbooks and consoles
#: (compare, frontier, shocks, backtest), worded through the "column" context.
COLUMN_WORDS = (
    NC_("column", "multiple"),
    NC_("column", "budget"),
    NC_("column", "status"),
    NC_("column", "fixed"),
    NC_("column", "dynamic"),
    NC_("column", "reserve"),
    NC_("column", "predicted_kpi"),
    NC_("column", "frontier_slope"),
    NC_("column", "profit"),
    NC_("column", "note"),
    NC_("column", "mark"),
    NC_("column", "scenario_budget"),
    NC_("column", "mroi_below_1_budget"),
    NC_("column", "profit_optimal_budget"),
    NC_("column", "metric"),
    NC_("column", "setting"),
    NC_("column", "differs"),
    NC_("column", "run"),
    NC_("column", "budget_dual"),
    NC_("column", "value"),
    NC_("column", "delta"),
    NC_("column", "change"),
    NC_("column", "base"),
    NC_("column", "total"),
    NC_("column", "shock"),
    NC_("column", "description"),
    NC_("column", "shocked_base_roi"),
    NC_("column", "shocked_base_roi_retained"),
    NC_("column", "reoptimized_roi"),
    NC_("column", "reoptimized_roi_retained"),
    NC_("column", "reoptimized_status"),
    NC_("column", "recovered_kpi"),
    NC_("column", "meets_roi_floor"),
    NC_("column", "unit"),
    NC_("column", "folds"),
    NC_("column", "periods"),
    NC_("column", "actual"),
    NC_("column", "forecast"),
    NC_("column", "wape"),
    NC_("column", "accuracy"),
    NC_("column", "coverage"),
    NC_("column", "spend"),
    NC_("column", "roi"),
    NC_("column", "incremental_kpi"),
    NC_("column", "marginal_roi"),
    NC_("column", "mroi_below_1"),
    NC_("column", "margin"),
    NC_("column", "profit_at_optimum"),
    NC_("column", "net_roi"),
)
#: Names used as words elsewhere: statuses, risk measures, totals keys and table keys.
MORE_WORDS = (N_("mean"), N_("cvar"), N_("market"), N_("units"), N_("failed"), N_("overall"),
              N_("channels"), N_("totals"), N_("settings"), N_("allocation"), N_("frontier"),
              N_("marks"), N_("chart"))

class Words:
    """Everything language-dependent a report needs: translated text and formatted numbers."""

    def __init__(self, language: str = "en"):
        if language not in LANGUAGES:
            raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
        self.language = language
        self.locale = BABEL_LOCALES[language]
        self.catalog = translations(language)

    @property
    def chinese(self) -> bool:
        return self.language == "zh"

    def _(self, message: str) -> str:
        return self.catalog.gettext(message)

    def say(self, text) -> str:
        """A sentence in this language: a `Msg` through its message id (its values worded
        too), a plain English sentence (read back from summary.json) through the catalog
        template it was made from; anything the catalogs do not know stays as written."""
        if text is None or not self.chinese:
            return "" if text is None else str(text)
        if isinstance(text, Worded):
            return text.wording(self)
        if isinstance(text, Msg) and not text.values:
            return self._(text.template)
        if isinstance(text, Msg):
            values = {k: self.say(v) if isinstance(v, (Msg, Worded)) or _sentence(v) else v
                      for k, v in text.values.items()}
            return self._(text.template).format(**values)
        return _reworded(self.language, str(text))[1]

    def error_line(self, exc) -> str:
        """An error's one line in this language: `where: what — fix: how [E0201]`, the code
        in every language; keys, values, file names and positions as written."""
        if not self.chinese:
            return exc.line()
        where = self.say(exc.where) if exc.where else ""
        text = self._("{where}: {what}").format(where=where, what=self.say(exc.what)) \
            if where else self.say(exc.what)
        if exc.fix:
            text += self._(" — fix: {fix}").format(fix=self.say(exc.fix))
        code = getattr(exc, "code", None)
        return " ".join(text.split()) + (f" [{code}]" if code else "")

    def kpi(self, name: str) -> str:
        """A KPI's name in this language (a column name the catalogs do not know stays)."""
        return self._(name) if name in KNOWN_WORDS else name

    def pgettext(self, context: str, message: str) -> str:
        return self.catalog.pgettext(context, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)

    def money(self, amount: float, currency: str = "CNY", decimals: int = 0) -> str:
        """A whole amount with its sign: ¥1,234 (English writes each currency as at home;
        Chinese in the zh locale, so US$1,234)."""
        return money(amount, currency, decimals, self.locale if self.chinese else None)

    def compact_money(self, amount: float, currency: str = "CNY") -> str:
        """A short amount: ¥1400万 / ¥1.58亿 in Chinese, ¥14M in English."""
        if not self.chinese:
            from budgetopt.optimizer.results.charts import compact
            return compact(amount, currency_sign(currency))
        if abs(amount) < 1e4:         # below 1万 the whole amount reads best
            return self.money(round(amount) + 0.0, currency)
        digits = 2 if abs(amount) < 1e5 else 1
        return format_compact_currency(amount, currency, locale=self.locale,
                                       fraction_digits=digits)

    def compact_number(self, value: float) -> str:
        if not self.chinese:
            from budgetopt.optimizer.results.charts import compact
            return compact(value)
        if abs(value) < 1e4:
            return self.number(value)
        return format_compact_decimal(value, locale=self.locale, fraction_digits=1)

    def number(self, value: float, digits: int = 0) -> str:
        """1,234 / 1,234.56 in the locale's grouping."""
        if value is None or value != value:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def day(self, value: date) -> str:
        """1 Oct 2026 / 2026年10月1日."""
        if not self.chinese:
            return f"{value:%d %b %Y}"
        return format_date(value, format="long", locale=self.locale)


def _sentence(value) -> bool:
    """Text worth wording (a phrase with a space), not a name, key or number."""
    return isinstance(value, str) and " " in value.strip()


@lru_cache(maxsize=4096)
def _reworded(language: str, text: str) -> tuple[int, str]:
    """(characters explained by catalog text, the text in `language`) for an English sentence
    read back as plain text: a message id itself, else the parse through the catalog templates
    (nested in their values) that explains the most of it; unknown text stays as written."""
    if not text.strip():
        return 0, text
    catalog = translations(language)
    found = catalog.gettext(text)
    if found != text:
        return len(text), found
    best, rank = (0, text), (0, 0)
    for pattern, names, template in _patterns(language):
        match = pattern.fullmatch(text)
        if not match:
            continue
        literal = len(text) - sum(len(v) for v in match.groups())
        explained = literal
        values = {}
        for name, value in zip(names, match.groups()):
            if _sentence(value):
                inner, value = _reworded(language, value)
                explained += inner
            values[name] = value
        # most text explained; on a tie the template that explains more by itself
        if (explained, literal) > rank:
            rank = (explained, literal)
            best = (explained, catalog.gettext(template).format(**values))
    return best


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=None)
def _patterns(language: str) -> tuple:
    """Every catalog template with placeholders (and some literal text) as a pattern."""
    catalog = translations(language)
    ids = [m for m in getattr(catalog, "_catalog", {}) if isinstance(m, str) and "{" in m
           and "\x04" not in m]
    out = []
    for template in ids:
        parts = _PLACEHOLDER.split(template)
        literal, names = parts[0::2], parts[1::2]
        if not names or len(set(names)) != len(names) or not "".join(literal).strip(" :;,.-—"):
            continue        # "{first}, {second}" would split any list: worded only as a Msg
        regex = "".join(re.escape(text) + ("(.+?)" if i < len(names) else "")
                        for i, text in enumerate(literal))
        out.append((template, re.compile(regex, re.S), tuple(names)))
    return tuple((pattern, names, template) for template, pattern, names in sorted(out))


def words_for(result, language: str | None = None) -> Words:
    """The words of a plan's report: `language`, else the plan's own (`PlanResult.language`,
    set by --lang), else the scenario's report.language, else the locale's."""
    scenario = getattr(result, "scenario", result)
    report = getattr(scenario, "report", None)
    return Words(resolve_language(language, getattr(result, "language", None),
                                  getattr(report, "language", None)))
