"""Write scenarios/data/history_zh.csv: the demo history with the channels' Chinese names, saved
as GB18030 with CRLF line ends, as Chinese Excel's "CSV" export writes it.

    python scripts/make_demo_zh.py

Only the names and the file's encoding change; every number is the demo's. The Chinese example
scenario scenarios/demo_zh.yaml plans from it."""
from __future__ import annotations

import csv
import io
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "scenarios" / "data"

CHINESE_NAMES = {
    "search_ads": "搜索广告",
    "display_feed": "信息流",
    "short_video": "抖音短视频",
    "live_streaming": "直播带货",
    "kol": "达人合作",
    "content_seo": "内容种草",
    "social": "小红书",
    "private_domain": "私域",
}


def chinese_history(text: str) -> str:
    """The demo history's CSV text with channel names translated, lines ending in CRLF."""
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[0].index("channel")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        row[column] = CHINESE_NAMES[row[column]]
        writer.writerow(row)
    return out.getvalue()


#: The demo's lift tests: a +30% and a −30% four-week test on the two channels whose history pins
#: their curves least (simulated from the demo world's truth, `datasets.simulated_lift_test`).
LIFT_TESTS = (("display_feed", 0.3, "2026-05-04"), ("private_domain", -0.3, "2026-06-01"))


def chinese_experiments() -> str:
    """scenarios/data/experiments_zh.csv: the demo's lift tests with Chinese channel names."""
    from budgetopt.datasets import demo_world, simulated_lift_test

    world = demo_world()
    rows = [simulated_lift_test(world, channel, change=change, start=start)
            for channel, change, start in LIFT_TESTS]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["channel", "start", "end", "spend_change", "lift", "std_error", "kind",
                     "note"])
    notes = {"display_feed": "信息流加投30%，地域对照", "private_domain": "私域减投30%，地域对照"}
    for (channel, _, _), row in zip(LIFT_TESTS, rows):
        writer.writerow([CHINESE_NAMES[channel], row["start"], row["end"], row["spend_change"],
                         row["lift"], row["std_error"], "地域实验", notes[channel]])
    return out.getvalue()


def main() -> None:
    text = (DATA / "history.csv").read_text(encoding="utf-8")
    (DATA / "history_zh.csv").write_bytes(chinese_history(text).encode("gb18030"))
    (DATA / "experiments_zh.csv").write_bytes(chinese_experiments().encode("gb18030"))


if __name__ == "__main__":
    main()
