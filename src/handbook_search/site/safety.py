"""The build's own defence: what the Sphinx build refuses to publish even when validation is
skipped (the validator's rules are model/safety.py; docs/docutils.conf turns off docutils' raw
and file-insertion directives; docs/conf.py turns off MyST's HTML syntax).

- corpus files that cannot be pages (symlinks, over the size limit, not UTF-8, a name outside
  safety.PAGE_NAME, front matter with YAML aliases or deep nesting, Markdown nested deeper than
  safety.nesting_problems allows) are left out of the build (`exclude_patterns`), so Sphinx never
  follows a link loop, stalls on a huge page or an alias bomb, crashes on a bad byte or a
  RecursionError, or publishes a URL with # or ? in it (each file is read and scanned once);
- control characters are dropped, and front-matter keys that change MyST's settings or the
  page's head (`myst`, `substitutions`, `html_meta`) are blanked before MyST reads the page;
- in corpus pages, raw nodes (but MyST's own line break), images that are not image files inside
  the corpus, downloads of files outside the corpus and javascript:/data:/vbscript: links are
  taken out of the doctree before Sphinx's asset collectors (priority 500) copy anything;
- every page carries a Content-Security-Policy: scripts and styles from the site only, plus the
  theme's one inline script and one inline style by hash; no frames, no plugins, no remote files;
- outputs of pages that left the corpus (HTML, copied images and downloads) are removed after
  the build, so build/html holds exactly the current site (pages written in this build, such
  as the generated 年度 pages, are kept).
Each refusal is a warning (type handbook, subtype safety), so `-W` fails the build.
"""

from __future__ import annotations

import base64
import glob
import hashlib
import os
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging

from handbook_search.model import safety

logger = logging.getLogger(__name__)

# Raw nodes MyST itself makes for a hard line break: the only raw output kept.
KEEP_RAW = {("html", "<br />\n"), ("latex", "\\\\\n")}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


def _warn(message: str, location=None) -> None:
    logger.warning(message, location=location, type="handbook", subtype="safety")


def _corpus_dir(app: Sphinx) -> Path:
    return Path(app.config.handbook_corpus_dir or Path(app.srcdir) / "corpus")


# -- files that never enter the build ------------------------------------------------------
def _exclude_unsafe_files(app: Sphinx, config) -> None:
    root = _corpus_dir(app)
    srcdir = Path(app.srcdir)
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                stack.append(path)
                continue
            if not (entry.is_symlink() or entry.name.endswith(".md")):
                continue
            # symlink, size, UTF-8, name, nesting: what would make Sphinx follow a loop, stall,
            # crash or publish a URL that does not lead back to the page
            reason = _unsafe_file(path, entry.is_symlink())
            if reason is None:
                continue
            try:
                rel = path.relative_to(srcdir).as_posix()
            except ValueError:
                continue
            config.exclude_patterns += [glob.escape(rel), glob.escape(rel) + "/**"]
            _warn(f"{rel}: このファイルは公開しません: {reason}")


def _unsafe_file(path: Path, symlink: bool) -> str | None:
    """Why a corpus file may not enter the build (None when it may)."""
    if symlink:
        return "シンボリックリンクは使えません"
    if not safety.PAGE_NAME.fullmatch(path.name):
        return safety.PAGE_NAME_MESSAGE
    text, found = safety.read_text(path)
    if text is None:
        return found[0][1]
    found = safety.nesting_problems(text) or safety.front_matter_bounds(text)
    return found[0][1] if found else None


# -- front matter --------------------------------------------------------------------------


def _clean_source(app: Sphinx, docname: str, source: list[str]) -> None:
    """Control characters dropped; forbidden front-matter keys blanked (line numbers stay)."""
    if safety.CONTROL.search(source[0]):
        _warn("制御文字を取り除きました", (docname, 1))
        source[0] = safety.CONTROL.sub("", source[0])
    _blank_forbidden_keys(docname, source)


def _blank_forbidden_keys(docname: str, source: list[str]) -> None:
    import yaml

    text = source[0]
    m = safety.FRONT_MATTER.match(text)
    if not m or not any(k in m.group(1) for k in safety.FORBIDDEN_KEYS):
        return
    try:
        _, node = safety.load_yaml(m.group(1))
    except yaml.YAMLError:
        return  # MyST cannot read it either
    if not isinstance(node, yaml.MappingNode):
        return
    lines = m.group(1).split("\n")
    starts = [key.start_mark.line for key, _ in node.value] + [len(lines)]
    bad = [i for i, (key, _) in enumerate(node.value) if key.value in safety.FORBIDDEN_KEYS]
    if not bad:
        return
    if node.flow_style:  # `{myst: …}` on one line: drop the whole front matter
        lines = [""] * len(lines)
    for i in bad:
        _warn(f"フロントマターの {node.value[i][0].value} を無視しました", (docname, starts[i] + 2))
        for n in range(starts[i], starts[i + 1]):
            lines[n] = ""
    source[0] = text[: m.start(1)] + "\n".join(lines) + text[m.end(1) :]


# -- the doctree ---------------------------------------------------------------------------
def _image_allowed(app: Sphinx, uri: str, docname: str) -> bool:
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", uri) or any(c in uri for c in "*?["):
        return False
    _, path = app.env.relfn2path(uri, docname)
    return safety.inside(Path(path), _corpus_dir(app)) and safety.is_image(Path(path))


def _as_text(node: nodes.Element) -> None:
    node.replace_self(nodes.inline(node.astext(), node.astext()))


def _strip_unsafe_nodes(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    if not docname.startswith("corpus/"):
        return  # the site's own pages (docs/) are ours
    for text in list(doctree.findall(nodes.Text)):  # written as &#x202e; in the page
        if safety.CONTROL.search(text):
            _warn("制御文字を取り除きました", text.parent)
            text.parent.replace(text, nodes.Text(safety.CONTROL.sub("", text)))
    for raw in list(doctree.findall(nodes.raw)):
        if (raw.get("format", ""), raw.astext()) not in KEEP_RAW:
            _warn("HTML などの直接出力を公開しません", raw)
            raw.parent.remove(raw)
    for image in list(doctree.findall(nodes.image)):
        if not _image_allowed(app, image.get("uri", ""), docname):
            _warn(f"画像を公開しません: {image.get('uri', '')}", image)
            image.parent.remove(image)
    for ref in list(doctree.findall(addnodes.download_reference)):
        target = ref.get("reftarget", "")
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", target):
            continue  # a web link, not a copied file
        _, path = app.env.relfn2path(target, docname)
        if not safety.inside(Path(path), _corpus_dir(app)):
            _warn(f"コーパスの外のファイルを公開しません: {target}", ref)
            _as_text(ref)
    for ref in list(doctree.findall(nodes.reference)):
        if ref.get("refuri", "").strip().lower().startswith(BAD_SCHEMES):
            _warn(f"リンクを公開しません: {ref['refuri'][:40]}", ref)
            _as_text(ref)


# -- Content-Security-Policy ---------------------------------------------------------------
def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _inline(html: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.S)


def content_security_policy(scripts: list[str], styles: list[str]) -> str:
    """The policy: everything from the site itself, the given inline code by hash, no frames.

    A <meta> policy cannot set frame-ancestors (browsers ignore it there): a host that can
    send headers should add `Content-Security-Policy: frame-ancestors 'none'` itself."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self' " + " ".join(map(_sha256, scripts)),
            "style-src 'self' " + " ".join(map(_sha256, styles)),
            "style-src-attr 'unsafe-inline'",  # style="…" of the theme's icons and tables
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "manifest-src 'self'",
            "frame-src 'none'",
            "child-src 'none'",
            "worker-src 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )


def _theme_inline_scripts() -> list[str]:
    """The inline <script>s of furo's base template (its colour-theme switch)."""
    import furo

    base = Path(furo.__file__).parent / "theme" / "furo" / "base.html"
    return _inline(base.read_text(encoding="utf-8"), "script")


def _add_csp(app: Sphinx, pagename, templatename, context, doctree) -> None:
    policy = getattr(app, "handbook_csp", None)
    if policy is None:
        css = app.builder.templates.render("partials/_head_css_variables.html", context)
        policy = content_security_policy(_theme_inline_scripts(), _inline(css, "style"))
        app.handbook_csp = policy  # type: ignore[attr-defined]
    tag = f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
    context["metatags"] = tag + (context.get("metatags") or "")
    # every page written in this build is current (pages generated from metadata included)
    app.__dict__.setdefault("handbook_written", set()).add(pagename)


# -- stale outputs -------------------------------------------------------------------------
def _remove_stale_outputs(app: Sphinx, exception) -> None:
    """Remove the HTML, images and downloads of pages no longer in the source."""
    if exception is not None or app.builder.format != "html":
        return
    out, env = Path(app.outdir), app.env
    if out.resolve() == Path(app.srcdir).resolve():
        return  # never in a source folder
    keep = set(env.found_docs) | {"genindex", "search", "py-modindex"}
    keep |= set(app.config.html_additional_pages)
    keep |= getattr(app, "handbook_written", set())  # e.g. the 年度 pages (html-collect-pages)
    tops = {d.split("/")[0] for d in env.found_docs if "/" in d}  # docs/, corpus/
    suffix = app.builder.out_suffix
    for top in sorted(tops):
        folder = out / top
        if top.startswith("_") or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*" + suffix), reverse=True):
            docname = path.relative_to(out).as_posix().removesuffix(suffix)
            if docname not in keep:
                path.unlink()
        for sub in sorted(folder.rglob("*"), reverse=True):
            if sub.is_dir() and not any(sub.iterdir()):
                sub.rmdir()
    images = {unique for _, unique in env.images.values()}
    for path in (out / "_images").glob("*") if (out / "_images").is_dir() else []:
        if path.name not in images:
            path.unlink()
    downloads = {Path(dest).parts[0] for _, dest in env.dlfiles.values()}
    for path in (out / "_downloads").glob("*") if (out / "_downloads").is_dir() else []:
        if path.name not in downloads:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


# -- URLs ---------------------------------------------------------------------------------
def web_url(url: str) -> str:
    """`url` percent-encoded where a URL must be (space, #, non-ASCII …); escapes kept.

    >>> web_url("https://example.jp/corpus/a b#c.html"), web_url("https://x.jp/%41")
    ('https://example.jp/corpus/a%20b%23c.html', 'https://x.jp/%41')
    """
    from urllib.parse import quote

    return quote(url, safe=":/%&;=~@!$'()*+,")


def _encode_sitemap(app: Sphinx, exception) -> None:
    """sphinx-sitemap writes page names as they are: every <loc> percent-encoded afterwards."""
    sitemap = Path(app.outdir) / "sitemap.xml"
    if exception is not None or not sitemap.is_file():
        return
    text = sitemap.read_text(encoding="utf-8")
    encoded = re.sub(r"<loc>([^<]*)</loc>", lambda m: f"<loc>{web_url(m.group(1))}</loc>", text)
    if encoded != text:
        sitemap.write_text(encoded, encoding="utf-8")


def setup(app: Sphinx) -> None:
    app.connect("build-finished", _encode_sitemap, priority=900)  # after sphinx-sitemap (500)
    app.connect("config-inited", _exclude_unsafe_files)
    app.connect("source-read", _clean_source, priority=100)
    app.connect("doctree-read", _strip_unsafe_nodes, priority=100)  # before the collectors
    app.connect("html-page-context", _add_csp, priority=900)  # after furo's context
    app.connect("build-finished", _remove_stale_outputs)
    # after doctools.js (200), before translations.js (500): addTranslations without eval
    app.add_js_file("handbook-csp.js", priority=300)
