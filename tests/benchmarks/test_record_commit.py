"""A benchmark names the commit it measured; its own result files do not make it "uncommitted"."""
import subprocess

import benchmarks.record as record


def _git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo,
                   check=True, capture_output=True)


def test_only_code_changes_mark_the_commit_uncommitted(tmp_path, monkeypatch):
    (tmp_path / "benchmarks").mkdir()
    files = {"code.py": "x = 1\n", "BENCHMARKS.md": "# b\n",
             "benchmarks/mixed_rows.jsonl": "{}\n", "benchmarks/mixed.py": "y = 1\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "start")
    monkeypatch.setattr(record, "ROOT", tmp_path)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tmp_path, check=True,
                          capture_output=True, text=True).stdout.strip()
    (tmp_path / "BENCHMARKS.md").write_text("# b\nrow\n")
    (tmp_path / "benchmarks/mixed_rows.jsonl").write_text("{}\n{}\n")
    assert record.current_commit() == head
    (tmp_path / "benchmarks/mixed.py").write_text("y = 2\n")
    assert record.current_commit() == f"{head} with uncommitted changes"
