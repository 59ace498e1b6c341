import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# Reports follow the locale when a scenario names no language: tests run in the C locale so
# that a developer's zh_CN terminal does not change what they check.
import os  # noqa: E402

for _key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_key, None)
os.environ["LANG"] = "C.UTF-8"
