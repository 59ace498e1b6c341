"""The benchmark recorder rewrites one section between its markers and nothing else: whatever
is rewritten (shorter, longer, twice, a new section, a body that mentions markers), the file
reads back as the header plus whole sections, every other section byte for byte as it was.
A file with unpaired or repeated markers, or text between sections, is refused unchanged."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks.record import HEADER, BrokenBenchmarksFile, write_section

MARKER_LINE = re.compile(r"^<!-- (\w+):(start|end) -->$")


def structure(text: str) -> tuple[str, dict[str, str]]:
    """An independent reading of the file: the header and {name: lines between the markers},
    asserting that markers pair up once each and that only blank lines lie between sections."""
    header, sections, current, outside = [], {}, None, []
    for line in text.splitlines():
        m = MARKER_LINE.match(line)
        if current is None and m is None:
            (outside if sections else header).append(line)
        elif current is None:
            assert m.group(2) == "start" and m.group(1) not in sections, line
            current, body = m.group(1), []
        elif m is None:
            body.append(line)
        else:
            assert m.groups() == (current, "end"), line
            sections[current], current = "\n".join(body), None
    assert current is None, "a section is not closed"
    assert all(not line.strip() for line in outside), outside
    return "\n".join(header).strip(), sections


def body_of(section: str) -> str:
    """The results part of a section: what follows the Machine/Command lines."""
    return section.split("`\n\n", 1)[1]


@pytest.fixture
def md(tmp_path) -> Path:
    path = tmp_path / "BENCHMARKS.md"
    write_section("speed", "Speed", "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |", "cmd speed",
                  path=path)
    write_section("slsqp", "LP vs SLSQP", "slsqp table\nrow", "cmd slsqp", path=path)
    write_section("quality", "Quality", "quality text", "cmd quality", path=path)
    return path


def test_a_new_file_gets_the_header_and_each_section_once(md):
    header, sections = structure(md.read_text(encoding="utf-8"))
    assert header == HEADER.strip()
    assert list(sections) == ["speed", "slsqp", "quality"]
    assert sections["speed"].startswith("## Speed\n\nMachine: ")
    assert "Command: `cmd speed`" in sections["speed"]
    assert body_of(sections["speed"]) == "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |"


@pytest.mark.parametrize("new_body", ["| a |\n|---|",                               # shorter
                                      "\n".join(f"| row {i} |" for i in range(40)),  # longer
                                      "one line"])
def test_rewriting_a_section_leaves_no_fragment_of_the_old_one(md, new_body):
    before = structure(md.read_text(encoding="utf-8"))[1]
    write_section("speed", "Speed", new_body, "cmd speed", path=md)
    text = md.read_text(encoding="utf-8")
    header, after = structure(text)
    assert header == HEADER.strip() and list(after) == ["speed", "slsqp", "quality"]
    assert body_of(after["speed"]) == new_body
    assert after["slsqp"] == before["slsqp"] and after["quality"] == before["quality"]
    assert "| 3 | 4 |" not in text          # the old speed table's last row is nowhere
    assert text.count("<!-- speed:start -->") == text.count("<!-- speed:end -->") == 1


def test_rewriting_the_same_section_twice_is_the_same_as_once(md):
    write_section("slsqp", "LP vs SLSQP", "new\ntable", "cmd slsqp", path=md)
    once = md.read_text(encoding="utf-8")
    write_section("slsqp", "LP vs SLSQP", "new\ntable", "cmd slsqp", path=md)
    assert md.read_text(encoding="utf-8") == once
    assert body_of(structure(once)[1]["slsqp"]) == "new\ntable"


def test_a_new_section_is_appended_after_the_others(md):
    before = md.read_text(encoding="utf-8")
    write_section("extra", "Extra", "extra body", "cmd extra", path=md)
    after = md.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n") + "\n\n<!-- extra:start -->")
    assert list(structure(after)[1]) == ["speed", "slsqp", "quality", "extra"]


def test_a_new_section_can_go_before_a_named_one_and_keeps_its_place_when_rewritten(md):
    before = structure(md.read_text(encoding="utf-8"))[1]
    write_section("headline", "Headline", "first", "cmd", path=md, before="slsqp")
    write_section("headline", "Headline", "again", "cmd", path=md, before="speed")
    after = structure(md.read_text(encoding="utf-8"))[1]
    assert list(after) == ["speed", "headline", "slsqp", "quality"]
    assert body_of(after["headline"]) == "again"
    assert all(after[k] == before[k] for k in before)
    write_section("other", "Other", "x", "cmd", path=md, before="missing")
    assert list(structure(md.read_text(encoding="utf-8"))[1])[-1] == "other"


def test_a_section_whose_name_starts_another_ones_is_its_own_section(md):
    write_section("speed_cbc", "Speed with CBC", "cbc", "cmd", path=md)
    write_section("speed", "Speed", "short", "cmd speed", path=md)
    sections = structure(md.read_text(encoding="utf-8"))[1]
    assert body_of(sections["speed"]) == "short" and body_of(sections["speed_cbc"]) == "cbc"


def test_a_body_that_mentions_markers_inline_is_kept_and_does_not_split_sections(md):
    body = "sections end with `<!-- slsqp:end -->` on a line of their own"
    write_section("speed", "Speed", body, "cmd speed", path=md)
    write_section("slsqp", "LP vs SLSQP", "rewritten", "cmd slsqp", path=md)
    sections = structure(md.read_text(encoding="utf-8"))[1]
    assert body_of(sections["speed"]) == body
    assert body_of(sections["slsqp"]) == "rewritten"


@pytest.mark.parametrize("line", ["<!-- slsqp:end -->", "<!-- speed:start -->", "  <!-- x:end -->"])
def test_a_body_with_a_marker_line_is_refused_and_the_file_left_alone(md, line):
    before = md.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="contains a marker line"):
        write_section("speed", "Speed", f"table\n{line}\nmore", "cmd", path=md)
    assert md.read_text(encoding="utf-8") == before


def _broken_files(md_text: str) -> dict[str, tuple[str, str]]:
    """A well-formed file damaged in each way a bad rewrite could leave it, with the refusal."""
    stray = md_text.replace("<!-- quality:start -->", "| 3 | 4 |\n<!-- speed:end -->\n\n"
                            "<!-- quality:start -->")
    return {
        "stray fragment between sections": (
            stray, r"line \d+: text outside any section: '\| 3 \| 4 \|'"),
        "end without start": (md_text + "\n<!-- speed:end -->\n", "without a matching start"),
        "start without end": (md_text + "\n<!-- late:start -->\nbody\n",
                              "'late' has no end marker"),
        "section twice": (md_text + "\n<!-- speed:start -->\nx\n<!-- speed:end -->\n",
                          "section 'speed' appears twice"),
        "nested": (md_text.replace("slsqp table", "<!-- inner:start -->"),
                   "inside section 'slsqp'"),
        "text after the last section": (md_text + "\ntrailing words\n", "text outside any section"),
    }


@pytest.mark.parametrize("damage", list(_broken_files("")))
def test_a_broken_file_is_refused_and_left_unchanged(md, damage):
    broken, message = _broken_files(md.read_text(encoding="utf-8"))[damage]
    md.write_text(broken, encoding="utf-8")
    with pytest.raises(BrokenBenchmarksFile, match=message):
        write_section("speed", "Speed", "new", "cmd speed", path=md)
    assert md.read_text(encoding="utf-8") == broken


def test_a_bad_section_name_is_refused(tmp_path):
    with pytest.raises(ValueError, match="section name"):
        write_section("speed -->", "Speed", "x", "cmd", path=tmp_path / "B.md")
    assert not (tmp_path / "B.md").exists()


def test_the_repositorys_benchmarks_file_is_header_plus_whole_sections(root):
    text = (root / "BENCHMARKS.md").read_text(encoding="utf-8")
    header, sections = structure(text)
    assert header == HEADER.strip()
    assert set(sections) >= {"speed", "workflows", "report", "bad_inputs", "slsqp",
                             "decision_quality", "forecast_accuracy"}
    for name, section in sections.items():
        title = section.splitlines()[0]
        assert title.startswith("## ") and section.count("\nMachine: ") == 1, name
