"""The HTML view opened from disk in headless Chromium (Debian's /usr/bin/chromium), driven by
Playwright for Python: it draws, filters, searches and explains, shows hostile labels as
text, logs no error and asks the network for nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

import kg
from helpers import EXPORT_FIXTURE
from kg.exporters.drawing import style

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is missing: install Debian's chromium (`apt-get install -y chromium`); "
           "CI installs it in .ci/run, so there this test runs")
#: what the machine notes say Chromium needs here: no sandbox as root, no GPU, no calls home
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
HOSTILE = "</script><script>alert(1)</script>"
DATED = """source: dates
entities:
  - {id: a, type: Company, name: Alpha}
  - {id: b, type: Company, name: Beta}
  - {id: p, type: Person, name: Pat}
facts:
  - {s: p, p: comments_on, o: a, date: 2025-01-01, stance: negative, source: s}
  - {s: p, p: comments_on, o: a, date: 2025-02-01, stance: neutral, source: s}
  - {s: p, p: comments_on, o: b, date: 2025-03-01, stance: positive, source: s}
  - {s: a, p: supplies, o: b, source: s}
"""


class View:
    """One page of the viewer, with everything it said or asked for recorded."""

    def __init__(self, browser, html: Path, ready: bool = True):
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.outside: list[str] = []      # requests for anything but the file itself
        self.problems: list[str] = []     # console errors and warnings, page errors
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: None if r.url.startswith("file://") else self.outside.append(r.url))
        self.page.on("console", lambda m: self.problems.append(f"{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.goto(html.resolve().as_uri())
        if ready:
            self.page.wait_for_function("window.kgView && window.kgView.ready")

    def _route(self, route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def expect(self, fn: str, expected, arg=None) -> None:
        """The JS function `fn(arg)` comes to return `expected` within 5 s (Cytoscape may
        restyle on the next frame); otherwise fail showing what it returned."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        try:
            self.page.wait_for_function(f"([a, want]) => JSON.stringify(({fn})(a)) === JSON.stringify(want)",
                                        arg=[arg, expected], timeout=5000)
        except PlaywrightTimeout:
            pass
        assert self.page.evaluate(fn, arg) == expected

    def panel_text(self) -> str:
        return self.page.inner_text("#kg-panel")

    def check_clean(self) -> None:
        assert self.problems == [], self.problems
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"
        assert self.outside == [], f"network requests: {self.outside}"
        assert self.js("document.scripts.length") == 3, "a <script> element was added"

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    graph = kg.build([EXPORT_FIXTURE], reference=False)
    return graph, kg.export(graph, "html", tmp_path_factory.mktemp("html") / "small.html")


@pytest.fixture
def view(browser, small):
    v = View(browser, small[1])
    yield v
    v.close()


def test_the_harness_sees_requests_and_dialogs(browser, tmp_path):
    """Without this, a silent View would pass every check below."""
    page = tmp_path / "leaky.html"
    page.write_text('<!DOCTYPE html><img src="http://127.0.0.1:9/x.png"><script>alert("hi")</script>',
                    encoding="utf-8")
    v = View(browser, page, ready=False)
    try:
        v.page.wait_for_timeout(200)
        assert set(v.outside) == {"http://127.0.0.1:9/x.png"} and v.dialogs == ["hi"]
    finally:
        v.close()


def test_every_node_is_drawn_inside_the_canvas(view, small):
    graph = small[0]
    assert view.js("kgView.cy.nodes().length") == len(graph)
    assert view.js("kgView.cy.edges().length") == len(list(graph.edges()))
    box = view.page.locator("#cy").bounding_box()
    spots = view.js("kgView.cy.nodes().map(n => n.renderedPosition())")
    assert all(0 <= p["x"] <= box["width"] and 0 <= p["y"] <= box["height"] for p in spots), spots
    inked = view.js("""Array.from(document.querySelectorAll('#cy canvas')).reduce((sum, c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return sum + n; }, 0)""")
    assert inked > 2000, f"the canvas is (nearly) blank: {inked} painted pixels"
    legend = view.page.locator("#kg-legend li").all_inner_texts()
    assert [t.split()[0] for t in legend] == sorted({e.type for e in graph.entities()})
    # each type is drawn in the colour the yEd, GEXF and DOT exports give it
    drawn = view.js("Object.fromEntries(kgView.cy.nodes().map(n => [n.data('type'), n.style('background-color')]))")
    assert drawn == {t: "rgb({},{},{})".format(*bytes.fromhex(style(t).colour[1:])) for t in drawn}
    view.check_clean()


def test_hostile_label_is_found_and_shown_as_text(view):
    view.page.fill("#kg-search", "alert(")
    results = view.page.locator("#kg-results li button")
    assert results.all_inner_texts() == [HOSTILE]
    assert view.js("kgView.cy.nodes('.match').map(n => n.id())") == ["graph"]
    results.first.click()
    assert view.page.inner_text("#kg-panel h2") == HOSTILE
    assert view.js("kgView.cy.nodes(':selected').map(n => n.id())") == ["graph"]
    view.page.fill("#kg-search", "Nœud")
    view.page.locator("#kg-results li button").first.click()
    assert view.page.inner_text("#kg-panel h2") == "Nœud Énergie <b>SA</b>"
    assert view.js("document.querySelectorAll('b, #kg-panel script').length") == 0
    view.check_clean()


def test_clicking_a_node_lists_its_facts_and_quotes(view, small):
    graph = small[0]
    box = view.page.locator("#cy").bounding_box()
    spot = view.js("kgView.cy.$id('acme_chips').renderedPosition()")
    view.page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
    view.page.wait_for_function("document.querySelector('#kg-panel h2')")
    assert view.page.inner_text("#kg-panel h2") == "Acme Chips"
    edges = [f for f in graph.facts_about("acme_chips") if f.o is not None]
    assert view.page.locator("#kg-panel li.fact").count() == len(edges) + 1  # + the market-cap value
    quotes = view.page.locator("#kg-panel blockquote").all_text_contents()
    assert "Acme Chips lost about 12.5% by the close." in quotes
    assert 'A line with "quotes", a tab\tand a </script> tag should stay text.' in quotes
    text = view.panel_text()
    for needle in ("supplies → ", "Borealis \"Power\" & Grid", "product: gate drivers", "12.5 percent",
                   "on 2025-03-03", "← comments_on", "Ada Vance", "fixture supply list",
                   "market_cap_loss", "ACME Chips Inc.", "ACMC"):
        assert needle in text, needle
    view.page.locator("#kg-panel .other-end", has_text="Ada Vance").first.click()
    assert view.page.inner_text("#kg-panel h2") == "Ada Vance"
    view.check_clean()


def test_edge_type_filter_hides_and_shows_edges(view):
    count = "p => kgView.cy.edges().filter(e => e.data('p') === p && e.visible()).length"
    view.expect(count, 2, "supplies")
    view.page.locator("input.kg-edge-type[value=supplies]").uncheck()
    view.expect(count, 0, "supplies")
    view.js("kgView.focusNode(kgView.cy.$id('borealis_power'))")
    assert view.page.locator("#kg-panel li.fact.filtered").count() == 2  # listed, marked as hidden
    view.expect(count, 2, "fell_by")
    assert view.page.inner_text("#kg-shown").startswith("9 of 11")
    visible = "() => kgView.cy.edges(':visible').length"
    view.page.click("#kg-types-none")
    view.expect(visible, 0)
    view.page.click("#kg-types-all")
    view.expect(visible, 11)
    view.check_clean()


def test_date_range_hides_edges_outside_it(browser, tmp_path):
    path = tmp_path / "dated.yaml"
    path.write_text(DATED, encoding="utf-8")
    v = View(browser, kg.export(kg.build([path], reference=False), "html", tmp_path / "dated.html"))
    try:
        shown = "() => kgView.cy.edges(':visible').map(e => e.data('date') || 'undated').sort()"
        slide = "([id, value]) => { const r = document.getElementById(id); r.value = value; " \
                "r.dispatchEvent(new Event('input')); }"
        v.expect(shown, ["2025-01-01", "2025-02-01", "2025-03-01", "undated"])
        v.js(slide, ["kg-date-from", "1"])
        v.expect(shown, ["2025-02-01", "2025-03-01", "undated"])
        v.js(slide, ["kg-date-to", "1"])
        v.expect(shown, ["2025-02-01", "undated"])
        assert v.page.inner_text("#kg-date-from-label") == v.page.inner_text("#kg-date-to-label") == "2025-02-01"
        v.page.locator("#kg-undated").uncheck()
        v.expect(shown, ["2025-02-01"])
        v.check_clean()
    finally:
        v.close()


def test_the_example_graph_opens_and_explains(browser, built_graphs, tmp_path):
    graph, _ = built_graphs["example"]
    v = View(browser, kg.export(graph, "html", tmp_path / "example.html"))
    try:
        assert v.js("kgView.cy.nodes().length") == len(graph)
        assert v.js("kgView.cy.edges().length") == len(list(graph.edges()))
        box = v.page.locator("#cy").bounding_box()
        spots = v.js("kgView.cy.nodes().map(n => n.renderedPosition())")
        assert all(-1 <= p["x"] <= box["width"] + 1 and -1 <= p["y"] <= box["height"] + 1 for p in spots)
        v.page.fill("#kg-search", "nvidia")
        assert "Nvidia" in v.page.locator("#kg-results li button").all_inner_texts()
        v.js("kgView.focusNode(kgView.cy.$id('nvidia'))")
        assert v.page.inner_text("#kg-panel h2") == "Nvidia"
        assert v.page.locator("#kg-panel blockquote").count() >= 1
        v.check_clean()
    finally:
        v.close()
