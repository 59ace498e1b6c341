"""Write one benchmark's results into its own section of BENCHMARKS.md, with the machine and
the command that produced them."""
from __future__ import annotations

import contextlib
import os
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
HEADER = "# Benchmarks\n\nEach section is rewritten by the command it names.\n"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024**2:.0f} GiB RAM"
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()}, Python {platform.python_version()}"


def write_section(name: str, title: str, body: str, command: str | None = None) -> None:
    """Replace (or append) the section `name` in BENCHMARKS.md."""
    command = command or "python -m " + Path(sys.argv[0]).with_suffix("").as_posix().replace("/", ".")
    block = (f"<!-- {name}:start -->\n## {title}\n\nMachine: {machine()}  \n"
             f"Command: `{command}`\n\n{body.strip()}\n<!-- {name}:end -->")
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else HEADER
    pattern = re.compile(rf"<!-- {name}:start -->.*?<!-- {name}:end -->", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block
    BENCHMARKS_MD.write_text(text.rstrip() + "\n")
