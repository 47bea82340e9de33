"""The writing rules (textlint, docs/writing.md): one voice and one spelling per term.

`make test` lints corpus/ and docs/ itself (make textlint); these tests check that a bad page
fails with file:line, in the terminal and as a GitHub annotation, and what is and is not linted.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import FIXTURES, ROOT

LINT = ROOT / "tools" / "textlint.mjs"


@pytest.fixture(scope="module")
def linted():
    """One textlint run over the fixture (its Japanese tokenizer takes seconds to load)."""
    if shutil.which("node") is None or not (ROOT / "node_modules" / "textlint").is_dir():
        pytest.skip("textlint がありません（make textlint が node_modules/ に入れます）")
    page = (FIXTURES / "style" / "mixed-voice.md").relative_to(ROOT)
    env = {**os.environ, "GITHUB_ACTIONS": "true"}
    result = subprocess.run(
        ["node", str(LINT), str(page)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return page.as_posix(), result


def line_of(page: str, text: str) -> int:
    lines = (ROOT / page).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_mixed_voice_and_a_variant_fail_with_file_and_line(linted):
    page, result = linted
    assert result.returncode == 1
    out = result.stdout
    variant = line_of(page, "3ヶ月続けました")
    assert f"{page}:{variant}:" in out and "ヶ月 => か月" in out
    dearu = line_of(page, "町の事業である")
    assert f"{page}:{dearu}:" in out and "no-mix-dearu-desumasu" in out


def test_github_annotations(linted):
    page, result = linted
    variant = line_of(page, "3ヶ月続けました")
    assert f"::error file={page},line={variant}," in result.stdout


def test_prose_directives_are_linted_generated_ones_are_not(linted):
    page, result = linted
    in_note = line_of(page, "生活支援コーディネータが")
    assert f"{page}:{in_note}:" in result.stdout  # a {note} is prose
    generated = line_of(page, "生成されるブロック")
    assert f"{page}:{generated}:" not in result.stdout  # {theme-cases} is not
    assert f"{page}:2:" not in result.stdout  # nor the front matter
