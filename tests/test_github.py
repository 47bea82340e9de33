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


def _workflow(name: str) -> dict:
    return yaml.safe_load((GITHUB / "workflows" / name).read_text(encoding="utf-8"))


def _runs(job: dict) -> str:
    return "\n".join(s.get("run", "") for s in job["steps"])


def _uses(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").split("@")[0] == action]


def test_ci_runs_make_test_on_each_python():
    job = _workflow("ci.yml")["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert runs[0] == "make test"  # exactly the README's command
    assert "make test" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_pull_request_and_ci_run_grow_the_corpus():
    """The grown-corpus run (lab/grow.py): 30 more cases on every pull request and push, 8 in
    .ci/run after make test (the two together stay under 8 minutes on 2 cores)."""
    flow = _workflow("ci.yml")
    on = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in on
    grown = re.search(r"make test-grown GROWN_CASES=(\d+)", _runs(flow["jobs"]["grown"]))
    assert grown and int(grown[1]) >= 30
    lines = (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()
    steps = [ln for ln in lines if ln.startswith("make ")]
    assert steps[0] == "make test" and re.fullmatch(r"make test-grown GROWN_CASES=(\d+)", steps[1])
    assert int(steps[1].rpartition("=")[2]) >= 8


@pytest.mark.parametrize("workflow", ["ci.yml", "pages.yml"])
def test_every_job_is_given_the_tools_its_make_targets_call(workflow):
    """python, node/npm (textlint in make test), chromium, fonts and poppler (tests; make pdf):
    each job that calls them must have them, so the workflow cannot rot silently. GitHub's
    python:*-bookworm images have Python but no Node.js; they run as root, so the tests' and
    make pdf's own apt-get set-up (under CI=true) brings Chromium, fonts and poppler."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    node = re.search(r"Node\.js (\d+)", readme).group(1)
    for name, job in _workflow(workflow)["jobs"].items():
        runs = _runs(job)
        if "make " not in runs and "pip install" not in runs:
            continue
        image = str(job.get("container", ""))
        assert image.startswith("python:") or _uses(job, "actions/setup-python"), name
        if "make test" in runs:
            setup = _uses(job, "actions/setup-node")
            assert setup and str(setup[0]["with"]["node-version"]) == node, name
        if re.search(r"make (test|pdf)", runs):  # Chromium / Pango / fonts from apt, as root
            assert image.endswith("-bookworm") or "apt-get install" in runs, name
            assert "options" not in (
                job["container"] if isinstance(job.get("container"), dict) else {}
            )
        if "make " in runs:
            assert not str(job.get("runs-on", "")).startswith(("windows", "macos")), name


def test_the_cli_job_runs_on_windows_and_macos_without_a_browser():
    job = _workflow("ci.yml")["jobs"]["cli"]
    assert set(job["strategy"]["matrix"]["os"]) == {"windows-latest", "macos-latest"}
    assert _uses(job, "actions/setup-python")
    runs = _runs(job)
    assert 'pip install -e ".[dev]"' in runs and "handbook-search " in runs
    files = re.findall(r"tests/\S+\.py", runs)
    assert "tests/test_install.py" in files
    for f in files:  # no Chromium, no site build there (no make, no Node.js)
        text = (ROOT / f).read_text(encoding="utf-8")
        params = {
            p.strip()
            for a in re.findall(r"^def test_\w+\(([^)]*)\)", text, re.M)
            for p in a.split(",")
        }
        assert not params & {"built_site", "browser", "session", "site_url", "chromium_paths"}, f


def test_actions_are_pinned_by_major_version():
    for path in (GITHUB / "workflows").glob("*.yml"):
        for job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].values():
            for step in job.get("steps", []):
                if "uses" in step:
                    assert re.fullmatch(r"actions/[\w-]+@v\d+", step["uses"]), step["uses"]


def test_pages_publishes_main_with_pdfs_and_offline_copy_and_previews_pull_requests():
    flow = _workflow("pages.yml")
    on = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads `on:` as true
    assert on["push"]["branches"] == ["main"] and "pull_request" in on
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    runs = _runs(build)
    assert "make pdf offline" in runs and "build/handbook-site.zip build/html/" in runs
    step = next(s for s in build["steps"] if "make pdf offline" in s.get("run", ""))
    assert step["env"]["HANDBOOK_SITE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert "'1'" in step["env"]["HANDBOOK_PUBLISH"]  # a publishing build refuses placeholders
    assert _uses(build, "actions/configure-pages") and _uses(build, "actions/upload-pages-artifact")
    preview = _uses(build, "actions/upload-artifact")[0]
    assert preview["if"] == "github.event_name == 'pull_request'"
    assert "GITHUB_STEP_SUMMARY" in runs and "steps.preview.outputs.artifact-url" in runs
    assert _uses(deploy, "actions/deploy-pages") and deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "secrets." not in (GITHUB / "workflows" / "pages.yml").read_text(encoding="utf-8")


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


def test_a_publishing_build_refuses_the_placeholder_address(monkeypatch):
    import runpy

    from handbook_search.model.project import NotPublishable

    monkeypatch.setenv("HANDBOOK_PUBLISH", "1")
    monkeypatch.setenv("HANDBOOK_SITE_URL", "https://example.org/handbook-search/")
    with pytest.raises(NotPublishable, match="仮のもの"):
        runpy.run_path(str(ROOT / "docs" / "conf.py"))
    monkeypatch.setenv("HANDBOOK_SITE_URL", "https://someone.github.io/handbook-search")
    conf = runpy.run_path(str(ROOT / "docs" / "conf.py"))
    assert (
        conf["html_baseurl"] == conf["ogp_site_url"] == "https://someone.github.io/handbook-search/"
    )


@pytest.mark.slow
def test_canonical_links_sitemap_and_offline_link_use_the_one_address(built_site):
    from handbook_search.model.project import site_url

    base = site_url()
    home = BeautifulSoup((built_site / "docs/index.html").read_text("utf-8"), "html.parser")
    assert home.select_one('link[rel="canonical"]')["href"] == base + "docs/index.html"
    assert home.select_one(".handbook-offline a")["href"] == base + "handbook-site.zip"
    assert home.select_one('meta[property="og:url"]')["content"].startswith(base)
    sitemap = (built_site / "sitemap.xml").read_text("utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs and all(loc.startswith(base) for loc in locs)
    assert "example.org" not in sitemap
