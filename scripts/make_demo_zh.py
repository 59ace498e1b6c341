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


def main() -> None:
    text = (DATA / "history.csv").read_text(encoding="utf-8")
    (DATA / "history_zh.csv").write_bytes(chinese_history(text).encode("gb18030"))


if __name__ == "__main__":
    main()
