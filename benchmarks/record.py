"""Write one benchmark's results into its own section of BENCHMARKS.md, with the machine and
the command that produced them.

The file is a header followed by sections, each between a `<!-- name:start -->` line and a
`<!-- name:end -->` line, with only blank lines between sections. `write_section` reads the file
into that structure (refusing a file that does not have it), replaces or appends one section and
writes the whole file back, so a rewrite can never leave a fragment of an old section behind.
The environment variable BENCHMARKS_FILE names another file to write (the tests use it to run
a benchmark without touching BENCHMARKS.md)."""
from __future__ import annotations

import contextlib
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
HEADER = "# Benchmarks\n\nEach section is rewritten by the command it names.\n"
NAME = re.compile(r"[A-Za-z0-9_]+")
MARKER = re.compile(r"<!--\s*([A-Za-z0-9_]+)\s*:\s*(start|end)\s*-->")


class BrokenBenchmarksFile(ValueError):
    """The file's sections are not cleanly delimited; it is left as it is."""


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


def _marker(line: str) -> tuple[str, str] | None:
    """(name, "start" | "end") when the line is a section marker, else None."""
    found = MARKER.fullmatch(line.strip())
    return (found.group(1), found.group(2)) if found else None


def parse_sections(text: str, source: str = "BENCHMARKS.md") -> tuple[str, list[tuple[str, str]]]:
    """The header (everything before the first marker) and the (name, block) sections in file
    order, each block running from its start line to its end line inclusive. Raises
    BrokenBenchmarksFile on an unpaired, nested or repeated marker, or on text between sections."""
    lines = text.splitlines()
    header: list[str] = []
    sections: list[tuple[str, str]] = []
    seen: set[str] = set()
    current: tuple[str, int] | None = None        # (name, line index of its start marker)
    for i, line in enumerate(lines):
        mark = _marker(line)
        where = f"{source} line {i + 1}"
        if current is not None:
            if mark is None:
                continue
            name, kind = mark
            if kind == "start" or name != current[0]:
                raise BrokenBenchmarksFile(
                    f"{where}: {line.strip()} inside section {current[0]!r} "
                    f"(started on line {current[1] + 1})")
            sections.append((name, "\n".join(lines[current[1]:i + 1])))
            current = None
        elif mark is None:
            if sections and line.strip():
                raise BrokenBenchmarksFile(f"{where}: text outside any section: {line.strip()!r}")
            if not sections:
                header.append(line)
        else:
            name, kind = mark
            if kind == "end":
                raise BrokenBenchmarksFile(f"{where}: {line.strip()} without a matching start")
            if name in seen:
                raise BrokenBenchmarksFile(f"{where}: section {name!r} appears twice")
            seen.add(name)
            current = (name, i)
    if current is not None:
        raise BrokenBenchmarksFile(
            f"{source} line {current[1] + 1}: section {current[0]!r} has no end marker")
    return "\n".join(header), sections


def render(header: str, sections: list[tuple[str, str]]) -> str:
    parts = [header.strip()] + [block for _, block in sections]
    return "\n\n".join(p for p in parts if p) + "\n"


def section_block(name: str, title: str, body: str, command: str) -> str:
    for line in body.splitlines():
        if _marker(line) is not None:
            raise ValueError(f"the body of section {name!r} contains a marker line: "
                             f"{line.strip()!r}")
    return (f"<!-- {name}:start -->\n## {title}\n\nMachine: {machine()}  \n"
            f"Command: `{command}`\n\n{body.strip()}\n<!-- {name}:end -->")


def write_section(name: str, title: str, body: str, command: str | None = None, *,
                  path: Path | str | None = None, before: str | None = None) -> None:
    """Replace (or append) the section `name` in the benchmarks file at `path`; every other
    section and the header stay as they are. A new section goes before the section `before`
    when the file has it (else at the end). A file whose sections are not cleanly delimited is
    refused (BrokenBenchmarksFile) and not changed."""
    if not NAME.fullmatch(name):
        raise ValueError(f"section name {name!r}: use letters, digits and _ only")
    command = command or "python -m " + Path(sys.argv[0]).with_suffix("").as_posix().replace("/", ".")
    block = section_block(name, title, body, command)
    path = Path(path or os.environ.get("BENCHMARKS_FILE") or BENCHMARKS_MD)
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    header, sections = parse_sections(text, str(path))
    names = [n for n, _ in sections]
    if name in names:
        sections[names.index(name)] = (name, block)
    elif before in names:
        sections.insert(names.index(before), (name, block))
    else:
        sections.append((name, block))
    new = render(header or HEADER, sections)
    if [n for n, _ in parse_sections(new, str(path))[1]] != [n for n, _ in sections]:
        raise BrokenBenchmarksFile(f"{path}: the rewritten file would not read back")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(new)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def current_commit() -> str:
    """The checked-out commit the benchmark measures (short hash; says so when files differ,
    other than what the benchmarks themselves write: BENCHMARKS.md and their rows and charts)."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, cwd=ROOT, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, cwd=ROOT).stdout
        dirty = [line[3:] for line in status.splitlines()
                 if line[3:] and not _benchmark_output(line[3:])]
        return out + (" with uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _benchmark_output(path: str) -> bool:
    """A file the benchmarks write (their results), not code they measure."""
    return path == "BENCHMARKS.md" or (path.startswith("benchmarks/")
                                        and path.endswith((".jsonl", ".png", ".csv")))
