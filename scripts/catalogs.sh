#!/usr/bin/env bash
# Re-extract the message ids and merge them into the Chinese catalog (docs/i18n.md), then
# compile it. Run from the repository root after changing any message; translate the new
# entries of optimizer/results/i18n/locale/zh/LC_MESSAGES/budgetopt.po, then run it again.
set -euo pipefail
PY=${PYTHON:-python}
PB="$PY -m babel.messages.frontend"
LOCALE=optimizer/results/i18n/locale
$PB extract -F babel.cfg -k N_ -k NC_:1c,2 -k pgettext:1c,2 -k ngettext:1,2 -k Msg \
  --no-location --sort-output --omit-header -o $LOCALE/budgetopt.pot . >/dev/null
$PB update -D budgetopt -i $LOCALE/budgetopt.pot -d $LOCALE -l zh --no-fuzzy-matching \
  --ignore-obsolete >/dev/null
$PB compile -D budgetopt -d $LOCALE -l zh --statistics
