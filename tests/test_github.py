"""The GitHub side of contributing: one guide text, templates in step with the vocabularies,
CI running exactly `make test`, a licence for code and text, one repository URL for the edit links."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT
from handbook_search.model.corpus import load_corpus
from handbook_search.model.vocab import PREFECTURES, THEMES

GITHUB = ROOT / ".github"
REPOSITORY = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
    "urls"
]["Repository"]


def checklist(text: str) -> list[str]:
    return re.findall(r"^- \[ \] (.+)$", text, flags=re.M)


def test_pull_request_template_has_the_guides_review_checklist():
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = guide.split("## レビューの確認項目", 1)[1].split("\n## ", 1)[0]
    template = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    assert checklist(section) and checklist(template) == checklist(section)


def test_issue_form_proposes_a_case_with_the_handbooks_vocabularies():
    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "case-proposal.yml").read_text("utf-8"))
    assert form["name"] == "事例を提案する"
    fields = {b["id"]: b for b in form["body"] if "id" in b}
    labels = [b["attributes"]["label"] for b in fields.values()]
    assert labels == ["自治体", "都道府県", "年度", "テーマ", "概要", "出典 URL"]
    assert fields["prefecture"]["attributes"]["options"] == list(PREFECTURES)
    themes = [o["label"] for o in fields["themes"]["attributes"]["options"]]
    assert themes == [f"{n} {name}" for n, name in THEMES.items()]


def test_ci_runs_make_test_on_each_python_and_keeps_the_site():
    ci = yaml.safe_load((GITHUB / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    job = ci["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert runs[0] == "make test"  # exactly the README's command
    upload = next(
        s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")
    )
    assert upload["with"]["path"] == "build/html"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme


def test_licences_and_code_owners():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"
    for doc in ("README.md", "CONTRIBUTING.md"):
        assert "CC BY 4.0" in (ROOT / doc).read_text(encoding="utf-8"), doc
    owners = (GITHUB / "CODEOWNERS").read_text(encoding="utf-8")
    assert re.search(r"^\*\s+@[\w-]+/[\w-]+$", owners, flags=re.M)


@pytest.mark.slow
def test_site_guide_is_contributing_md(built_site):
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    page = BeautifulSoup(
        (built_site / "docs/contributing.html").read_text(encoding="utf-8"), "html.parser"
    )
    text = page.find("article").get_text()
    headings = re.findall(r"^#{1,3} (.+)$", guide, flags=re.M)
    assert headings and all(h in text for h in headings)
    assert all(item.replace("`", "") in text for item in checklist(guide))
    # the stub holds no guide text of its own
    stub = (ROOT / "docs/contributing.md").read_text(encoding="utf-8")
    assert [line for line in stub.splitlines() if line and not line.startswith("%")] == [
        "# 事例の投稿方法"
    ]
    assert "CC BY 4.0" in (built_site / "docs/index.html").read_text(encoding="utf-8")  # footer


@pytest.mark.slow
def test_every_corpus_page_has_a_japanese_edit_link(built_site):
    for p in load_corpus(ROOT / "corpus").pages:
        html = BeautifulSoup((built_site / p.url).read_text(encoding="utf-8"), "html.parser")
        link = html.select_one(".edit-this-page a")
        assert link["href"] == f"{REPOSITORY}/edit/main/corpus/{p.relpath}", p.relpath
        assert link["title"] == "このページを編集" and "このページを編集" in link.get_text()
    home = BeautifulSoup((built_site / "docs/index.html").read_text("utf-8"), "html.parser")
    assert home.select_one(".edit-this-page") is None  # the site's own pages are not corpus


def test_make_serve_rebuilds_on_save_on_localhost_only():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    serve = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "sphinx-autobuild" in serve and "--host 127.0.0.1" in serve
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = pyproject["project"]["optional-dependencies"]["dev"]
    assert any(re.fullmatch(r"sphinx-autobuild==[\d.]+", p) for p in pins)
