"""The published reports in a real browser: every link works, nothing leaves the machine.

Opens the sample run's index.html in headless Chromium, follows every link, and checks that
each page loads, every link resolves to a file of the run, every request is a local file
(no CDN script, font or style), and every plot is a visible image. Skips where Chromium or
Playwright is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from report_fixtures import sample_report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
#: The fewest plots each report must show (issue 4's figure list).
MIN_IMAGES = {"01_corpus_overview": 1, "02_risk_distribution": 3,
              "03_section_completeness": 2, "04_readability": 2, "05_compliance_review": 2,
              "06_trends": 3}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium at /usr/bin/chromium")
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as exc:  # a browser that cannot start here is an environment gap
            pytest.skip(f"Chromium would not start: {exc}")
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    return sample_report(tmp_path_factory)


@pytest.fixture(scope="module")
def visit(browser, sample):
    """Open the index and every page it links to; record requests, links and images."""
    run_dir = sample.result.run_dir.resolve()
    context = browser.new_context(offline=True)
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    # anything that is not a local file is recorded above and then refused
    context.route(lambda url: not url.startswith(("file:", "data:")),
                  lambda route: route.abort())
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    pages: dict[str, dict] = {}

    def load(path: Path) -> dict:
        page.goto(path.as_uri(), wait_until="load")
        info = page.evaluate("""() => ({
            title: document.title,
            text: document.body.innerText,
            links: [...document.querySelectorAll('a[href]')].map(a => a.href),
            images: [...document.images].map(i => ({src: i.src.slice(0, 30),
                width: i.naturalWidth, height: i.naturalHeight, shown: i.offsetWidth}))
        })""")
        pages[path.name] = info
        return info

    index = load(run_dir / "index.html")
    for href in index["links"]:
        target = _local(href)
        if target.suffix == ".html":
            load(target)
    context.close()
    return {"run_dir": run_dir, "pages": pages, "requests": requests, "errors": errors,
            "index": index}


def _local(url: str) -> Path:
    parsed = urlparse(url)
    assert parsed.scheme == "file", url
    return Path(unquote(parsed.path))


def test_the_index_loads_and_shows_the_headline_numbers(visit):
    index = visit["index"]
    assert index["title"].startswith("Stackwise report")
    for words in ("articles audited", "blocker findings", "Reports", "Exports"):
        assert words in index["text"]


def test_the_index_links_every_report_and_export(visit):
    run_dir = visit["run_dir"]
    linked = {_local(h).relative_to(run_dir).as_posix() for h in visit["index"]["links"]}
    expected = {f"{n}.html" for n in MIN_IMAGES} | {f"notebooks/{n}.ipynb" for n in MIN_IMAGES}
    expected |= {"findings.csv", "findings.xlsx", "articles.csv", "summary.json", "run.log"}
    assert expected <= linked


def test_every_link_resolves_to_a_file_of_the_run(visit):
    run_dir = visit["run_dir"]
    for name, page in visit["pages"].items():
        for href in page["links"]:
            if href.startswith(("https://", "http://")):
                continue  # a rule's "read more" page: a link to follow, never a request
            target = _local(href.split("#")[0])
            assert target.is_relative_to(run_dir), f"{name} links outside the run: {href}"
            assert target.is_file() and target.stat().st_size > 0, f"{name}: {href}"


def test_every_page_linked_from_the_index_loaded(visit):
    articles = {p.name for p in (visit["run_dir"] / "articles").glob("*.html")}
    linked = set(visit["pages"]) - {"index.html", *(f"{n}.html" for n in MIN_IMAGES)}
    assert linked and linked <= articles  # the worst articles' review pages
    assert {"index.html", *(f"{n}.html" for n in MIN_IMAGES)} <= set(visit["pages"])
    for name, page in visit["pages"].items():
        assert page["text"].strip(), name


def test_no_request_leaves_the_machine(visit):
    assert visit["requests"]
    remote = [u for u in visit["requests"] if not u.startswith(("file:", "data:"))]
    assert remote == []


def test_pages_run_without_script_errors(visit):
    assert visit["errors"] == []


def test_plots_are_visible_images(visit):
    for name, minimum in MIN_IMAGES.items():
        images = visit["pages"][f"{name}.html"]["images"]
        assert len(images) >= minimum, name
        for image in images:
            assert image["src"].startswith("data:image/png"), name
            assert image["width"] > 0 and image["height"] > 0 and image["shown"] > 0, name


def test_reports_show_no_code(visit):
    for name in MIN_IMAGES:
        text = visit["pages"][f"{name}.html"]["text"]
        assert "load_or_compute" not in text and "import " not in text, name


def test_the_findings_table_is_searchable_offline(browser, sample):
    run_dir = sample.result.run_dir.resolve()
    context = browser.new_context(offline=True)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto((run_dir / "05_compliance_review.html").as_uri(), wait_until="load")
    table = page.locator(".dt-container").last
    table.wait_for(timeout=15_000)  # DataTables is a module: it starts after "load"
    rows = table.locator("tbody tr")
    before = rows.count()
    table.locator("input[type=search]").first.fill("absolute_claim")
    page.wait_for_timeout(300)
    after = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert before > len(after) > 0 and all("absolute_claim" in r for r in after)
    assert table.locator("a[href^='articles/']").count() > 0
    context.close()
    # the library's own code comes from the page (a blob: URL), never from a network
    assert all(u.startswith(("file:", "data:", "blob:")) for u in requests)


def test_an_article_page_highlights_its_flagged_sentence(browser, sample, tmp_path):
    """From the index's worst-articles list to the page: the blocker sentence is marked,
    visible, and explained in the margin; the page asks nothing of any network."""
    run_dir = sample.result.run_dir.resolve()
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto((run_dir / "index.html").as_uri(), wait_until="load")
    # the first of the worst articles whose page marks a blocker sentence (some worst
    # articles have only article-level blockers: a missing section, no disclaimer)
    links = page.locator("a[href^='articles/']")
    for number in range(links.count()):
        page.goto((run_dir / "index.html").as_uri(), wait_until="load")
        links.nth(number).click()
        page.wait_for_load_state("load")
        if page.locator("mark.sev-blocker").count():
            break
    assert page.url.startswith((run_dir / "articles").as_uri())
    mark = page.locator("mark.sev-blocker").first
    mark.scroll_into_view_if_needed()
    assert mark.is_visible()
    colour = mark.evaluate("m => getComputedStyle(m).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    note = page.locator(".margin .note.sev-blocker").first
    assert note.is_visible() and "blocker" in note.inner_text().lower()
    shot = tmp_path / "article.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    context.close()
    assert requests and all(u.startswith("file:") for u in requests)
