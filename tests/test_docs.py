"""Every Python snippet in the README and docs/ runs as written (from the repository root, one
page's snippets in order in one session, as a reader would run them), so the documentation
cannot drift from the code."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def test_the_docs_have_snippets():
    assert sum(len(BLOCK.findall(page.read_text())) for page in PAGES) >= 6


@pytest.mark.parametrize("page", [p for p in PAGES if BLOCK.search(p.read_text())],
                         ids=lambda p: p.name)  # fmt: skip
def test_page_snippets_run(page, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    from gnnrg.models.registry import MODELS

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("gnnrg.models.registry.MODELS", dict(MODELS))  # a page may register one
    session = {"__name__": "__snippet__"}
    for i, code in enumerate(BLOCK.findall(page.read_text())):
        exec(compile(code, f"{page.name}, snippet {i + 1}", "exec"), session)


TRANSCRIPT = re.compile(r"```\n\$ (gnnrg theory[^\n]*)\n(.*?)```", re.S)


def test_theory_transcripts_match_the_command(capsys):
    """A ``$ gnnrg theory ...`` block shows what that command prints today."""
    from gnnrg.cli import main

    found = [m for page in PAGES for m in TRANSCRIPT.findall(page.read_text())]
    assert found
    for command, shown in found:
        capsys.readouterr()
        assert main(command.split()[1:]) == 0
        assert capsys.readouterr().out.strip() == shown.strip(), command
