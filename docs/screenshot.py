"""Render docs/screenshot.png: the bundled example graph in the `html` view, in headless Chromium.

    python docs/screenshot.py [--out docs/screenshot.png] [--focus selloff_2025_01_27]

Needs Playwright for Python (`pip install playwright`) and Debian's Chromium at
/usr/bin/chromium (`apt-get install -y chromium`); it never downloads a browser. The
picture shows one entity selected (by default the selloff event), its neighbourhood
zoomed in and its facts and quotes in the side panel.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import kg
from kg.demo import example_dir

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOW = """id => {
  const node = kgView.cy.$id(id);
  if (node.empty()) { throw new Error('no entity ' + id); }
  kgView.focusNode(node);
  kgView.cy.fit(node.closedNeighborhood(), 40);
}"""


def screenshot(out: Path, focus: str = "selloff_2025_01_27", chromium: str = CHROMIUM,
               size: tuple[int, int] = (1400, 860)) -> Path:
    """Build the example, export it as HTML, open it and save a PNG of the view to `out`."""
    from playwright.sync_api import sync_playwright

    graph = kg.build([example_dir()])
    graph.name = "DeepSeek selloff example"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        html = kg.export(graph, "html", Path(tmp) / "example.html")
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": size[0], "height": size[1]})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
            page.goto(html.resolve().as_uri())
            page.wait_for_function("window.kgView && window.kgView.ready")
            page.evaluate(SHOW, focus)
            page.wait_for_timeout(300)
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
        finally:
            browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "screenshot.png")
    parser.add_argument("--focus", default="selloff_2025_01_27", help="entity id to select")
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args()
    print(screenshot(args.out, args.focus, args.chromium))


if __name__ == "__main__":
    main()
