"""The built site in a real browser (headless Chromium): every page of the toc, as a reader meets it.

Needs the site in ``_build/html`` (the test command builds it first), Debian's
``chromium`` and ``node_modules/`` (``tools/setup-system.sh`` and the build
install them). Screenshots of every page go to ``_build/screenshots/``.
"""

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT

SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def toc_files() -> list:
    """Every document of ``_toc.yml`` in order, root first."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part["chapters"])
    return files


PAGES = toc_files()


@pytest.fixture(scope="module")
def site_url():
    if not (SITE / "index.html").is_file():
        pytest.fail("the site is not built: run jupyter-book build -W -n --keep-going . first")
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Chromium is not installed: run bash tools/setup-system.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"JavaScript error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"request failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"HTTP {r.status}: {r.url}"))
    yield page
    context.close()


def visit(page, url: str) -> None:
    """Open ``url`` and wait until MathJax has typeset the page."""
    page.goto(url, wait_until="load")
    page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise"
                  " ? MathJax.startup.promise.then(() => true) : true")


INSPECT = """() => {
  const problems = [];
  for (const img of document.querySelectorAll('main img, article img')) {
    if (!img.complete || img.naturalWidth === 0) problems.push('image does not load: ' + img.src);
    if (!img.getAttribute('alt') || !img.getAttribute('alt').trim()) problems.push('image without alt text: ' + img.src);
  }
  for (const math of document.querySelectorAll('.math')) {
    if (!math.querySelector('mjx-container')) problems.push('formula not typeset: ' + math.textContent.slice(0, 60));
  }
  for (const el of document.querySelectorAll('main p, main li, main td')) {
    if (el.closest('pre, code, .highlight')) continue;
    const text = Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join(' ');
    if (/\\$\\$|\\\\\\(|\\\\\\[/.test(text)) problems.push('raw TeX left on the page: ' + text.trim().slice(0, 60));
  }
  return problems;
}"""


def inspect(page) -> list:
    """Broken or alt-less images, untypeset formulas and raw TeX on the current page."""
    return page.evaluate(INSPECT)


def serious_accessibility_violations(page) -> list:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                               ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length}))")
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("document", PAGES)
def test_page_renders_cleanly_and_accessibly(page, site_url, document):
    visit(page, f"{site_url}/{document}.html")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{document.replace('/', '__')}.png"))
    problems = page.problems + inspect(page)
    assert problems == [], "\n".join(problems)
    violations = serious_accessibility_violations(page)
    assert violations == [], violations


def test_sidebar_lists_every_chapter(page, site_url):
    visit(page, f"{site_url}/intro.html")
    links = page.eval_on_selector_all("nav.bd-links a", "els => els.map(e => e.getAttribute('href'))")
    listed = {link.split("#")[0].removesuffix(".html") for link in links}
    missing = [doc for doc in PAGES[1:] if doc not in listed]
    assert missing == [], f"missing from the sidebar: {missing}"


@pytest.mark.parametrize("word", ["focal", "Huber"])
def test_search_finds(page, site_url, word):
    visit(page, f"{site_url}/search.html?q={word}")
    page.wait_for_selector("#search-results ul.search li", timeout=15_000)
    assert page.locator("#search-results ul.search li").count() > 0


def test_checks_catch_a_broken_image_and_an_untypeset_formula(page, site_url):
    broken = SITE / "broken-on-purpose.html"
    html = (SITE / "notation.html").read_text(encoding="utf-8")
    html = html.replace("</h1>", '</h1><p><img src="no-such-image.png"></p>', 1)
    broken.write_text(html, encoding="utf-8")
    try:
        visit(page, f"{site_url}/broken-on-purpose.html")
        # Math that MathJax never saw, as when its script fails to load:
        page.evaluate("""() => document.querySelector('main p').insertAdjacentHTML('beforeend',
            '<span class="math">\\\\(x^2\\\\)</span> and raw \\\\[y^2\\\\]')""")
        problems = "\n".join(page.problems + inspect(page))
    finally:
        broken.unlink()
    assert "no-such-image.png" in problems
    assert "image without alt text" in problems
    assert "formula not typeset" in problems
    assert "raw TeX left on the page" in problems
