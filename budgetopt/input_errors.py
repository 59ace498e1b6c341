"""The wording of the errors in the files a planner writes: the scenario (E01xx) and the history
(E02xx). Templates with `{name}` placeholders; budgetopt.error_codes gathers every table."""
from __future__ import annotations

from budgetopt.messages import ErrorText, N_

_TOO_LARGE = N_("split the history into smaller files (fewer years or units) or aggregate days "
                "to weeks")
_UTF8_FIX = N_("set history_encoding: utf-8 (or remove history_encoding to detect the encoding)")
_ROLES_FIX = N_("give each role its own column: the date, the market, the KPI, each channel's "
                "spend and each control are different columns")
_EMPTY = N_("export the history with a header row (date,channel,spend,revenue) and one row per "
            "day or week")

INPUT_ERRORS: dict[str, ErrorText] = {
    # --- the scenario file -----------------------------------------------------------------
    "E0101": ErrorText(N_("scenario file not found (looked for {path})"),
                       N_("check the path, or copy one from scenarios/"), "scenario"),
    "E0102": ErrorText(N_("cannot be read ({reason})"), N_("check the file's permissions"),
                       "scenario"),
    "E0103": ErrorText(N_("line {line}: bytes that are not UTF-8"), N_("save the file as UTF-8"),
                       "scenario"),
    "E0104": ErrorText(N_("{at}{problem}"),
                       N_("correct the YAML syntax (indentation, colons, quotes)"), "scenario",
                       N_("the file is not valid YAML (the line names the position)")),
    "E0105": ErrorText(N_("{at}{problem}"), N_("write dates as YYYY-MM-DD, e.g. 2026-10-01"),
                       "scenario", N_("a date YAML cannot read")),
    "E0106": ErrorText(N_("values are nested too deeply to be a scenario"),
                       N_("correct the brackets; a scenario nests a few levels at most"),
                       "scenario"),
    "E0107": ErrorText(N_("the scenario is empty"),
                       N_("start the file with keys such as 'name:' and 'budget:'"), "scenario"),
    "E0108": ErrorText(N_("expected a mapping of scenario keys, got {kind}"),
                       N_("start the file with keys such as 'name:' and 'budget:'"), "scenario"),
    "E0110": ErrorText(N_("unknown key '{key}' in {at}"),
                       N_("remove it or correct the spelling ({hint})"), "scenario"),
    "E0111": ErrorText(N_("missing required key '{key}'"), N_("add it (see docs/scenario.md)"),
                       "scenario"),
    "E0112": ErrorText(N_("{at}{problem}{shown}"), N_("{advice}"), "scenario",
                       N_("a value of the wrong type, or out of its range")),
    "E0113": ErrorText(N_("{at}{problem}"), N_("{advice}"), "scenario",
                       N_("a value that one of the scenario's rules refuses")),
    "E0114": ErrorText(N_("{at}{value} is not a three-letter currency code in capitals"),
                       N_("write e.g. CNY or USD"), "scenario"),
    "E0115": ErrorText(N_("{at}{value} does not have the form this key needs"),
                       N_("see docs/scenario.md for how to write {key}"), "scenario"),
    "E0116": ErrorText(N_("is {kind}, not a regular scenario file"),
                       N_("point to the scenario file itself, saved on disk"), "scenario"),
    "E0117": ErrorText(N_("file is {size}, over the {limit} limit"),
                       N_("a scenario is a few kilobytes of YAML; check that this is the scenario "
                          "file"), "scenario"),
    "E0118": ErrorText(N_("{at}YAML tags such as '{tag}' are not allowed"),
                       N_("remove the tag; a scenario holds only text, numbers, dates, lists and "
                          "mappings"), "scenario"),
    "E0119": ErrorText(N_("{at}the document expands to more than {limit} values through anchors, "
                          "aliases (*name) and merge keys (<<:)"),
                       N_("write the values out instead of repeating aliases; a scenario needs "
                          "far fewer values"), "scenario"),
    "E0120": ErrorText(N_("{at}an alias refers to the value that contains it"),
                       N_("remove the alias (*name) from inside its own anchor (&name)"),
                       "scenario"),
    "E0121": ErrorText(N_("{at}got {value}, which YAML reads from an unquoted yes/no, on/off or "
                          "true/false"),
                       N_("quote the word so YAML keeps it as text, and use {choices}"),
                       "scenario"),
    "E0122": ErrorText(N_("{at}got {value}, which YAML reads from an unquoted yes/no, on/off or "
                          "true/false"),
                       N_("write {key} as a number; a boolean is never a number"), "scenario"),
    # --- the history file ------------------------------------------------------------------
    "E0201": ErrorText(N_("history file not found (looked for {path})"),
                       N_("check the path; relative paths resolve from the current directory"),
                       "history"),
    "E0202": ErrorText(N_("is a directory, not a history file"),
                       N_("point to the CSV or Parquet file inside it"), "history"),
    "E0203": ErrorText(N_("unsupported file type {suffix}"),
                       N_("save the history as .csv, .xlsx or .parquet"), "history"),
    "E0204": ErrorText(N_("file is {size}, over the {limit} limit"), _TOO_LARGE, "history"),
    "E0205": ErrorText(N_("reading {size} of history needs about {need} of memory but only "
                          "{free} is free"),
                       N_("free memory, or split the history into smaller files (fewer years or "
                          "units) or aggregate days to weeks"), "history"),
    "E0206": ErrorText(N_("cannot be read ({reason})"),
                       N_("check the file's permissions and that it is not locked"), "history"),
    "E0207": ErrorText(N_("not a valid gzip file ({reason})"),
                       N_("re-compress it with gzip, or save it as a plain .csv"), "history"),
    "E0208": ErrorText(N_("unpacks to more than the {limit} limit"), _TOO_LARGE, "history"),
    "E0209": ErrorText(N_("file is empty"), _EMPTY, "history"),
    "E0210": ErrorText(N_("line 1 is empty; the header must be the first line"), _EMPTY,
                       "history"),
    "E0211": ErrorText(N_("byte 0x{byte} cannot be read as {tried} text"),
                       N_("save the file as UTF-8 (in Excel: Save As > CSV UTF-8), or set "
                          "history_encoding to the encoding it was saved in (utf-8, utf-8-sig, "
                          "gb18030, gbk)"), "history"),
    "E0212": ErrorText(N_("cannot be read ({reason})"),
                       N_("check the file's permissions and that it is not open in Excel"),
                       "history"),
    "E0213": ErrorText(N_("not a readable .xlsx workbook ({reason})"),
                       N_("save it from Excel as .xlsx, or export it as CSV"), "history"),
    "E0214": ErrorText(N_("column {number} has no name"),
                       N_("name the column in row 1 or delete it"), "history"),
    "E0215": ErrorText(N_("column {number} has no name"),
                       N_("name the column or delete it (a trailing comma adds an empty column)"),
                       "history"),
    "E0216": ErrorText(N_("column {name} appears twice"),
                       N_("remove or rename one of the two columns"), "history"),
    "E0217": ErrorText(N_("row has {got} fields but the header has {want}"),
                       N_("quote values that contain commas (\"a,b\") or remove the extra "
                          "separators"), "history"),
    "E0218": ErrorText(N_("a quoted value is never closed"), N_("close the quote (\") or remove it"),
                       "history"),
    "E0219": ErrorText(N_("cannot be read as CSV ({reason})"),
                       N_("save the file as a comma-separated CSV with one header row"),
                       "history"),
    "E0220": ErrorText(N_("unpacks to {size}, over the {limit} limit"), _TOO_LARGE, "history"),
    "E0221": ErrorText(N_("not a readable Parquet file ({reason})"),
                       N_("re-export the history as Parquet or CSV"), "history"),
    "E0222": ErrorText(N_("kpi {kpi} cannot be the KPI column"),
                       N_("name a numeric KPI column of the history, e.g. revenue"), "history"),
    "E0223": ErrorText(N_("is {kind}, not a regular history file"),
                       N_("point to the history file itself, saved on disk"), "history"),
    "E0224": ErrorText(N_("byte 0x{byte} cannot be read as {tried} text; read as GB18030 (Chinese "
                          "Excel's encoding) the line is {shown}"),
                       N_("if that reads right, set history_encoding: gb18030; otherwise save the "
                          "file as UTF-8 (in Excel: Save As > CSV UTF-8)"), "history"),
    "E0225": ErrorText(N_("the file starts with a UTF-8 byte-order mark but history_encoding is "
                          "{declared}, which reads it as mojibake ({shown})"), _UTF8_FIX,
                       "history"),
    "E0226": ErrorText(N_("the file is UTF-8 text but history_encoding is {declared}, which reads "
                          "it as mojibake ({shown})"), _UTF8_FIX, "history"),
    # --- the history's columns and rows ---------------------------------------------------
    "E0230": ErrorText(N_("{problem}"),
                       N_("supply daily or weekly rows covering at least {days} days per unit"),
                       "history", N_("the history has fewer than two data rows")),
    "E0231": ErrorText(N_("spend is negative ({value})"),
                       N_("correct the value: spend must be 0 or more"), "history"),
    "E0232": ErrorText(N_("column {found} should be named {name}"),
                       N_("rename the column {found} to {name}"), "history"),
    "E0233": ErrorText(N_("missing {role} {name} (columns found: {columns})"),
                       N_("add a {name} column"), "history"),
    "E0234": ErrorText(N_("missing {role} {name} (columns found: {columns})"),
                       N_("add a {name} column, or pass kpi= naming the KPI column"), "history"),
    "E0235": ErrorText(N_("missing {role} {name} (columns found: {columns})"),
                       N_("separate fields with commas (the header looks like it uses another "
                          "separator)"), "history"),
    "E0236": ErrorText(N_("column {name} is empty"),
                       N_("fill in {name} with numbers or remove the column"), "history"),
    "E0237": ErrorText(N_("column {name} is text, not numbers (e.g. {value} on {place})"),
                       N_("remove the column {name} or make it numeric"), "history"),
    "E0238": ErrorText(N_("date is missing"), N_("write dates as YYYY-MM-DD, e.g. 2024-03-05"),
                       "history"),
    "E0239": ErrorText(N_("{value} has a time of day; rows must be whole days"),
                       N_("use dates at 00:00, one row per day or week"), "history"),
    "E0240": ErrorText(N_("{value} is not a calendar date"),
                       N_("write dates as YYYY-MM-DD, e.g. 2024-03-05"), "history"),
    "E0241": ErrorText(N_("{value} is not a date in YYYY-MM-DD form"),
                       N_("write dates as YYYY-MM-DD, e.g. 2024-03-05"), "history"),
    "E0242": ErrorText(N_("date {value} is outside 1900-2199"),
                       N_("write dates as YYYY-MM-DD, e.g. 2024-03-05"), "history"),
    "E0243": ErrorText(N_("{column} name {value} {problem}"), N_("rename it using {rule}"),
                       "history"),
    "E0244": ErrorText(N_("{column} name is empty"), N_("rename it using {rule}"), "history"),
    "E0245": ErrorText(N_("{column} {problem}"),
                       N_("spell the same channel the same way everywhere, or rename one"),
                       "history", N_("two names differ only by character width or Unicode form")),
    "E0246": ErrorText(N_("{column} is infinite ({value})"),
                       N_("replace it with a finite number"), "history"),
    "E0247": ErrorText(N_("{column} is missing{shown}"),
                       N_("fill in a number (0 if there was none that day)"), "history"),
    "E0248": ErrorText(N_("{value} is not a number"),
                       N_("write a plain number such as 1234.5 (no currency signs, units or "
                          "thousands separators)"), "history"),
    "E0249": ErrorText(N_("duplicate row for date {date}, {unit} (same as {place})"),
                       N_("keep one row per date and unit (sum or remove the duplicate)"),
                       "history"),
    "E0250": ErrorText(N_("{unit} has {days} days of history ({first} to {last}); {need} days "
                          "are needed{more}"),
                       N_("supply at least {need} days per unit (a full year lets the model "
                          "learn yearly seasonality), or lower min_history_days"), "history"),
    "E0251": ErrorText(N_("{unit} ends on {last} but the history runs to {end}{more}"),
                       N_("add rows up to {end} (spend 0 on days without spend), or remove the "
                          "unit"), "history"),
    "E0252": ErrorText(N_("rows for {unit} are {days} days apart ({first} then {then}); history "
                          "rows must be daily or weekly"),
                       N_("supply one row per day, or one row per week (7 days apart), for every "
                          "unit"), "history"),
    "E0253": ErrorText(N_("{unit} has {own} rows but {other} has {base} rows"),
                       N_("use one frequency (all daily or all weekly) for every unit"),
                       "history"),
    "E0254": ErrorText(N_("no rows between {first} and {last} for {unit} ({missing})"),
                       N_("add the missing rows, with spend 0 on days without spend"), "history"),
    "E0255": ErrorText(N_("no rows between {first} and {last} for {unit} ({missing})"),
                       N_("add the missing rows, with spend 0 on weeks without spend"), "history"),
    "E0256": ErrorText(N_("rows for {unit} on {first} and {last} are {gap} days apart; {rows} "
                          "rows must be exactly {days} days apart"),
                       N_("put one row per week, all on the same weekday"), "history"),
    # --- the total-KPI (wide) history -------------------------------------------------------
    "E0260": ErrorText(N_("{problem}"),
                       N_("supply daily or weekly rows covering at least {days} days"),
                       "history", N_("the total-KPI history has fewer than two usable rows")),
    "E0261": ErrorText(N_("spend of {channel} is negative ({value})"),
                       N_("correct the value: spend must be 0 or more"), "history"),
    "E0262": ErrorText(N_("missing {missing} (columns found: {columns})"), N_("{advice}"),
                       "history", N_("a column the total-KPI history needs is missing")),
    "E0263": ErrorText(N_("has a 'channel' column, which is the long form"),
                       N_("use history_format: long for one row per date and channel, or remove "
                          "the 'channel' column"), "history"),
    "E0264": ErrorText(N_("duplicate row for date {date}"),
                       N_("keep one row per date (sum or remove the duplicate)"), "history"),
    "E0265": ErrorText(N_("duplicate row for date {date}, market {market}"),
                       N_("keep one row per date and market (sum or remove the duplicate)"),
                       "history"),
    "E0266": ErrorText(N_("control {name} has no values for the horizon {start} to "
                          "{end}{market} ({have})"),
                       N_("add rows after the history with {column} filled in (KPI and spend "
                          "empty) up to {end}, or set control_values: {{{column}: VALUE}} in the "
                          "scenario"), "history"),
    "E0267": ErrorText(N_("control {name}{market} has no future row between {first} and {last}"),
                       N_("add one future row per day"), "history"),
    "E0268": ErrorText(N_("control {name}{market} has no future row between {first} and {last}"),
                       N_("add one future row per week"), "history"),
    "E0269": ErrorText(N_("column {column} is given twice as {role}"), _ROLES_FIX, "history"),
    "E0270": ErrorText(N_("column {column} is both {was} and {role}"), _ROLES_FIX, "history"),
}
