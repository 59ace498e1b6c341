"""The Chinese quick start (docs/zh/README.md) stays true: README links it, every scenario key
its table explains exists in the shipped JSON Schema (and the schema's top-level keys a planner
writes most are all explained), and — slow — the budgetopt commands it shows run and speak
Chinese. The install halves of the two commands (python3 -m venv …, pip install …) are what
`.ci/run` does already; here the budgetopt part of each is run."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "zh" / "README.md"
SCHEMA = json.loads((ROOT / "optimizer" / "scenario" / "scenario.schema.json").read_text("utf-8"))
HAN = re.compile(r"[\u4e00-\u9fff]")


def _table_keys() -> list[str]:
    """The keys of the table's first column; `channels.<渠道>.min` / `max` is two keys."""
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## 方案文件的键", 1)[1].split("\n## ", 1)[0]
    keys = []
    for line in section.splitlines():
        if line.startswith("| `"):
            first, *more = re.findall(r"`([^`]+)`", line.split("|")[1])
            keys.append(first)
            keys += [k if "." in k else first.rsplit(".", 1)[0] + "." + k for k in more]
    return keys


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]]
    for option in node.get("anyOf", []):
        if "$ref" in option or "properties" in option:
            return _resolve(option)
    return node


def _exists(path: str) -> bool:
    node = SCHEMA
    for part in path.split("."):
        node = _resolve(node)
        if part.startswith("<"):                     # a name the planner chooses
            names = node.get("patternProperties", {})
            node = next(iter(names.values())) if names else node.get("additionalProperties", {})
            continue
        props = node.get("properties", {})
        if part not in props:
            return False
        node = props[part]
    return True


def test_readme_links_the_chinese_quick_start():
    assert "docs/zh/README.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_key_the_quick_start_explains_is_in_the_schema():
    keys = _table_keys()
    assert len(keys) >= 25
    for key in keys:
        assert _exists(key), key
    explained = {k.split(".")[0] for k in keys}
    for top in ("name", "currency", "history", "kpi", "horizon", "budget", "objective",
                "channels", "groups", "limits", "events", "risk", "report", "solver"):
        assert top in explained, top


def _commands() -> list[list[str]]:
    """The budgetopt commands of the page's bash blocks (the part after the last `&&`)."""
    text = PAGE.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.strip().splitlines():
            command = line.split("&&")[-1].strip()
            words = shlex.split(command)
            if words and words[0].endswith("budgetopt"):
                out.append(words[1:])
    return out


def test_the_page_shows_the_demo_commands():
    commands = _commands()
    assert ["demo", "--lang", "zh"] in commands
    assert ["run", "scenarios/demo_zh.yaml", "--out", "/tmp/demo_zh"] in commands


@pytest.mark.slow
def test_the_commands_it_shows_run_and_speak_chinese(tmp_path, monkeypatch, capsys):
    from budgetopt.optimizer.cli.main import main

    monkeypatch.chdir(ROOT)
    for words in _commands():
        words = [str(tmp_path / "out") if w == "/tmp/demo_zh" else w for w in words]
        with pytest.raises(SystemExit) as done:
            main(words)
        out = capsys.readouterr().out
        assert done.value.code == 0, words
        assert HAN.search(out), words
    assert (tmp_path / "out" / "report.html").is_file()
