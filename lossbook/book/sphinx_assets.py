"""A Sphinx extension for the book's site: local MathJax, and clean pages.

- MathJax is served from a local copy, so the built book renders formulas with
  no network. The release is pinned in ``package.json`` (npm registry) and
  installed into ``node_modules/`` by the first build that needs it; every page
  loads ``_static/es5/tex-chtml.js`` instead of a CDN.
- Inline scripts are emitted once (see :func:`drop_duplicate_scripts`).
- Accessibility faults of the theme's page frame and the bibliography are mended in the
  written HTML (see :data:`ACCESSIBILITY_FIXES`).
"""

import shutil
import subprocess
from pathlib import Path

from sphinx.errors import ExtensionError

MATHJAX = Path("node_modules") / "mathjax"
ENTRY = "es5/tex-chtml.js"


def install_node_packages(root: Path) -> None:
    """Install the packages of ``package.json`` (``npm ci`` when a lock file pins them)."""
    npm = shutil.which("npm")
    if npm is None:
        raise ExtensionError("the book serves MathJax locally and needs npm to install it: install Node.js and npm")
    command = [npm, "ci" if (root / "package-lock.json").is_file() else "install", "--no-audit", "--no-fund"]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ExtensionError(f"npm could not install the book's front-end packages: {last}")


def use_local_mathjax(app, config) -> None:
    root = Path(app.confdir)
    if not (root / MATHJAX / ENTRY).is_file():
        install_node_packages(root)
    config.html_static_path.append(str(root / MATHJAX))
    config.mathjax_path = ENTRY


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    """Emit each inline script once.

    An inline script added after the builder starts is registered as
    ``_JavaScript(None, body=...)`` and again as ``_JavaScript('', body=...)``,
    which Sphinx does not see as the same; sphinx-thebe's configuration then
    declares its constants twice, a JavaScript error on every page.
    """
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, unique = set(), []
    for script in scripts:
        key = (script.filename or "", script.priority, tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


# (what the theme writes, what it should write, why): each found by axe-core.
ACCESSIBILITY_FIXES = [
    ('<summary><span class="toctree-toggle" role="presentation">',
     '<summary aria-label="Show or hide the sections"><span class="toctree-toggle" role="presentation">',
     "the sidebar's expand buttons have no accessible name (axe: summary-name)"),
    ('title="Search" aria-label="Search"', 'title="Search"',
     "the search button's label hides its visible text (axe: label-content-name-mismatch)"),
    ('data-mode="light" title="Light"></i>', 'data-mode="light" aria-hidden="true"></i>',
     "decorative icons of the colour-mode button carry text (axe: label-content-name-mismatch)"),
    ('data-mode="dark"  title="Dark"></i>', 'data-mode="dark" aria-hidden="true"></i>', "as above"),
    ('data-mode="auto"  title="System Settings"></i>', 'data-mode="auto" aria-hidden="true"></i>', "as above"),
    ('<div role="list" class="citation-list">', '<div class="citation-list">',
     "the bibliography's list role has entries that are not list items (axe: aria-required-children)"),
]


def mend_accessibility(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = original = page.read_text(encoding="utf-8")
        for wrong, right, _ in ACCESSIBILITY_FIXES:
            text = text.replace(wrong, right)
        if text != original:
            page.write_text(text, encoding="utf-8")


def setup(app):
    app.connect("config-inited", use_local_mathjax)
    app.connect("html-page-context", drop_duplicate_scripts, priority=100)
    app.connect("build-finished", mend_accessibility)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
