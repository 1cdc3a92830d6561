"""The web pages in a real headless Chromium (Debian's package, driven by its chromedriver)
against a real server: `screg serve` as a subprocess on a free port over a seeded store.

One walk, as a bureau engineer would take it: home, a category, a standard and its
dependency picture (following an entry of the picture by its link), a search in
Chinese, the validation of an invalid example catalogue, signing in with a submitter
token and registering a changed catalogue, then the language switch and a phone-width
check. A screenshot of each step goes to test-output/browser/.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.store import open_store
from registry.validation.labels import property_name
from registry.validation.validator import SCSH
from tests.conftest import EXAMPLES, ROOT, skip_unless_available
from tests.servers import SCREG, running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOTS = ROOT / "test-output" / "browser"
BUREAU = "11210100EXAMPLE01N"
WAIT_SECONDS = 30


def _browser_available() -> bool:
    return (
        Path(CHROMIUM).exists()
        and Path(CHROMEDRIVER).exists()
        and importlib.util.find_spec("selenium") is not None
    )


@pytest.fixture(scope="module")
def site(seeded_dump: bytes, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, submitter token) of a server over a freshly seeded on-disk store."""
    folder = tmp_path_factory.mktemp("pages") / "store"
    with open_store(str(folder)) as store:  # seeded, then closed: the server takes the lock
        store.load_dump(seeded_dump, "nquads")
    env = {**os.environ, "SCREG_STORE": str(folder), "SCREG_SEED": "false"}
    # The token is made the way an administrator makes one: with the command line.
    made = subprocess.run(
        [str(SCREG), "token", "create", "--role", "submitter", "--department", BUREAU,
         "--name", "大数据局 测试员"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    token = made.stdout.strip().splitlines()[0]
    with running_server(env, ready_path="/") as (base, _process):
        yield base, token


def _chromium(profile: Path, *extra: str):
    """Debian's headless Chromium driven by its chromedriver, with `extra` arguments."""
    skip_unless_available(
        _browser_available(),
        "needs Debian's chromium and chromium-driver and the selenium package",
    )
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1280,800",
        "--lang=zh-CN",
        *extra,
    ):
        options.add_argument(arg)
    # Both paths given: Selenium Manager has nothing to look up or download.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(WAIT_SECONDS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    driver = _chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


# Every host name but the server's own address resolves to nothing, so a page that
# needs a CDN (or anything else off the intranet) cannot load it: the bureau's
# intranet has no internet.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


@pytest.fixture(scope="module")
def offline_browser(tmp_path_factory: pytest.TempPathFactory):
    driver = _chromium(tmp_path_factory.mktemp("chromium-offline"), OFFLINE)
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver, name: str) -> None:
    assert driver.save_screenshot(str(SHOTS / f"{name}.png")), name


def _wait_for(driver, css: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def _gone(driver, element) -> None:
    """Wait until `element` has left the page (the next page replaced it).

    Selenium's `staleness_of` knows only StaleElementReferenceException; Chrome, asked
    in the middle of the swap, answers "Node with given id does not belong to the
    document" as a plain WebDriverException, which failed CI. Either means gone.
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def left(_driver) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:
            return True
        return False

    WebDriverWait(driver, WAIT_SECONDS).until(left)


def _h1(driver) -> str:
    return _wait_for(driver, "h1").text


def test_walk_validate_and_register(site: tuple[str, str], browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    base, token = site
    driver = browser

    # 1. Home: the six categories with counts, progress, recent registrations.
    driver.get(f"{base}/")
    assert _h1(driver) == "智慧城市标准体系"
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh"
    tops = driver.find_elements(By.CSS_SELECTOR, "table.tree tr.top")
    assert len(tops) == 6
    # the plan's two targets, then how far the standards are applied (docs/assessment.md)
    assert len(driver.find_elements(By.CSS_SELECTOR, ".target progress")) == 5
    _shot(driver, "01-home")

    # 2. A category: data security (6.2), reached by its link in the tree.
    driver.find_element(By.CSS_SELECTOR, 'a[href="/category/6.2"]').click()
    assert _h1(driver).startswith("6.2")
    identifiers = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "td a.ident")]
    assert "GB/T 35273-2017" in identifiers
    _shot(driver, "02-category")

    # 3. A standard: superseded, with its successor named and linked.
    driver.find_element(By.LINK_TEXT, "GB/T 35273-2017").click()
    assert "个人信息安全规范" in _h1(driver)
    assert driver.current_url == f"{base}/id/standard/GB-T-35273-2017"
    notice = driver.find_element(By.CSS_SELECTOR, ".notice").text
    assert "GB/T 35273-2020" in notice
    cited = driver.find_element(By.ID, "cited-h").find_element(By.XPATH, "..").text
    assert "GB/T 37932-2019" in cited
    _shot(driver, "03-standard")

    # 4. Its dependency picture: the SVG's entries are links to their pages.
    driver.find_element(By.PARTIAL_LINK_TEXT, "完整依赖关系图").click()
    _wait_for(driver, ".picture svg")
    links = driver.find_elements(By.CSS_SELECTOR, ".picture svg a")
    # An SVG link's `href` property is an SVGAnimatedString: read the attribute itself.
    targets = {a.get_dom_attribute("href") for a in links}
    assert {"/id/standard/GB-T-37932-2019", "/id/standard/GB-T-35273-2020"} <= targets, targets
    _shot(driver, "04-picture")
    successor = next(
        a for a in links if a.get_dom_attribute("href") == "/id/standard/GB-T-37932-2019"
    )
    driver.execute_script("arguments[0].scrollIntoView()", successor)
    successor.click()
    _wait_for(driver, "h1")
    assert driver.current_url.endswith("/id/standard/GB-T-37932-2019")

    # 5. Search in Chinese.
    driver.get(f"{base}/search")
    field = driver.find_element(By.ID, "q")
    field.send_keys("个人信息安全")
    field.submit()
    _wait_for(driver, "ul.results-list")
    results = driver.find_element(By.ID, "main").text
    assert "GB/T 35273-2017" in results and "GB/T 35273-2020" in results
    _shot(driver, "05-search")

    # Impact of superseding it, chosen through the form.
    driver.get(f"{base}/impact")
    driver.find_element(By.ID, "standard").send_keys("GB/T 35273-2017")
    driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
    _wait_for(driver, "table.impact")
    paths = driver.find_elements(By.CSS_SELECTOR, "table.impact ol.path")
    assert len(paths) >= 3
    _shot(driver, "05-impact")
    # A title names no standard: the page offers the matching ones, links that work
    # without JavaScript.
    driver.get(f"{base}/impact")
    driver.find_element(By.ID, "standard").send_keys("个人信息安全规范")
    driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
    _wait_for(driver, "#sug-h")
    driver.find_element(By.PARTIAL_LINK_TEXT, "GB/T 35273-2017").click()
    _wait_for(driver, "table.impact")
    assert driver.find_element(By.ID, "standard").get_attribute("value") == "GB/T 35273-2017"

    # 6. Validate the invalid sharing example: the expected violations, by entry.
    driver.get(f"{base}/validate")
    driver.find_element(By.ID, "file").send_keys(str(EXAMPLES / "invalid" / "sharing.ttl"))
    driver.find_element(By.CSS_SELECTOR, "form.upload button").click()
    _wait_for(driver, "section.report")
    expected = json.loads((EXAMPLES / "invalid" / "sharing.expected.json").read_text("utf-8"))
    sections = driver.find_elements(By.CSS_SELECTOR, "section.report-entry")
    shown: set[tuple[str, str]] = set()
    for section in sections:
        entry = section.find_element(By.TAG_NAME, "h3").text.split(": ", 1)[-1].strip()
        for row in section.find_elements(By.CSS_SELECTOR, "tr.sev-Violation"):
            shown.add((entry, row.find_elements(By.TAG_NAME, "td")[1].text))
    # Each property by its name for people (共享条件), as the shapes give it.
    wanted = {
        (e["focus"], property_name(e["path"], SCSH + e["shape"], "zh"))
        for e in expected
        if e["severity"] == "Violation"
    }
    assert wanted <= shown, (wanted, shown)
    assert "不符合规范" in driver.find_element(By.CSS_SELECTOR, ".verdict").text
    _shot(driver, "06-validate")

    # 7. Sign in with the submitter token and register a changed catalogue.
    driver.get(f"{base}/register")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "form.signin button").click()
    _wait_for(driver, ".who")
    assert token not in driver.current_url
    session = driver.get_cookie("screg_session")
    assert session and session["httpOnly"] and session.get("sameSite") == "Strict"
    changed = tmp_path / "catalogue-changed.ttl"
    text = (EXAMPLES / "catalogue-valid.ttl").read_text("utf-8")
    assert '"人口基础信息"@zh' in text
    changed.write_text(text.replace('"人口基础信息"@zh', '"人口基础信息（修订）"@zh'), "utf-8")
    driver.find_element(By.ID, "file").send_keys(str(changed))
    driver.find_element(By.CSS_SELECTOR, "form.upload button").click()
    _wait_for(driver, "table.changes")
    assert "已登记" in driver.find_element(By.CSS_SELECTOR, ".verdict").text
    updated = driver.find_elements(By.CSS_SELECTOR, "td.outcome-updated")
    assert len(updated) == 1
    submissions = driver.find_element(By.ID, "subs-h").find_element(By.XPATH, "..")
    assert len(submissions.find_elements(By.CSS_SELECTOR, "tbody tr")) >= 1
    _shot(driver, "07-register")

    # The new version is on the resource's page.
    driver.get(f"{base}/id/resource/101001-000001")
    assert _h1(driver) == "人口基础信息（修订）"
    versions = driver.find_element(By.ID, "hist-h").find_element(By.XPATH, "..")
    assert len(versions.find_elements(By.CSS_SELECTOR, "tbody tr")) == 2

    # 8. English, remembered from page to page.
    driver.find_element(By.CSS_SELECTOR, "a.lang").click()
    assert _h1(driver) == "Population base information"
    driver.get(f"{base}/")
    assert _h1(driver) == "The smart-city standard system"
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    _shot(driver, "08-home-en")

    # 9. A phone: 360 px wide, nothing wider than the screen.
    driver.set_window_size(360, 800)
    for path in ("/", "/id/standard/GB-T-35273-2017", "/validate"):
        driver.get(f"{base}{path}")
        _wait_for(driver, "h1")
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)
    _shot(driver, "09-phone-validate")


@pytest.fixture(scope="module")
def reviewed_site(
    seeded_dump: bytes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, str]]:
    """(base URL, submitter token, registrar token) of a server with review required."""
    folder = tmp_path_factory.mktemp("reviewed") / "store"
    with open_store(str(folder)) as store:
        store.load_dump(seeded_dump, "nquads")
    env = {
        **os.environ,
        "SCREG_STORE": str(folder),
        "SCREG_SEED": "false",
        "SCREG_REVIEW_REQUIRED": "true",
    }
    tokens = []
    for role, department in (("submitter", BUREAU), ("registrar", None)):
        args = [str(SCREG), "token", "create", "--role", role, "--name", f"{role} 测试员"]
        if department:
            args += ["--department", department]
        made = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=True)
        tokens.append(made.stdout.strip().splitlines()[0])
    with running_server(env, ready_path="/") as (base, _process):
        yield base, tokens[0], tokens[1]


def _sign_in(driver, base: str, token: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(f"{base}/register")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "form.signin button").click()
    _wait_for(driver, ".who")


def test_review_flow(reviewed_site: tuple[str, str, str], browser, tmp_path: Path) -> None:
    """A department submits a changed catalogue, which waits; the registrar reads what
    it changes on the review page and accepts it; only then does the page show it."""
    from selenium.webdriver.common.by import By

    base, submitter, registrar = reviewed_site
    driver = browser
    driver.set_window_size(1280, 800)
    _sign_in(driver, base, submitter)
    changed = tmp_path / "catalogue-reviewed.ttl"
    text = (EXAMPLES / "catalogue-valid.ttl").read_text("utf-8")
    changed.write_text(text.replace('"人口基础信息"@zh', '"人口基础信息（待审）"@zh'), "utf-8")
    driver.find_element(By.ID, "file").send_keys(str(changed))
    driver.find_element(By.CSS_SELECTOR, "form.upload button").click()
    _wait_for(driver, "table.changes")
    assert len(driver.find_elements(By.CSS_SELECTOR, "td.outcome-submitted")) == 1
    # Still the accepted version everywhere; the submitter sees its own waiting entry.
    driver.get(f"{base}/id/resource/101001-000001")
    assert _h1(driver) == "人口基础信息"
    driver.get(f"{base}/reviews")
    assert len(driver.find_elements(By.CSS_SELECTOR, "article.review")) == 1
    assert not driver.find_elements(By.CSS_SELECTOR, "form.decision")
    _shot(driver, "10-review-submitter")
    # The registrar reads the difference and accepts.
    _sign_in(driver, base, registrar)
    driver.get(f"{base}/reviews")
    article = _wait_for(driver, "article.review")
    assert "人口基础信息（待审）" in article.find_element(By.CSS_SELECTOR, "pre.diff").text
    _shot(driver, "11-review-registrar")
    article.find_element(By.CSS_SELECTOR, "button[value=accept]").click()
    _wait_for(driver, ".verdict")
    assert not driver.find_elements(By.CSS_SELECTOR, "article.review")
    driver.get(f"{base}/id/resource/101001-000001")
    assert _h1(driver) == "人口基础信息（待审）"


def test_api_docs_render_offline(site: tuple[str, str], offline_browser) -> None:
    """/docs shows Swagger UI with the operations listed, in a browser that can reach
    nothing but the server (Swagger UI came from a CDN, and /docs was blank offline)."""
    from selenium.webdriver.common.by import By

    base, _ = site
    driver = offline_browser
    driver.get(f"{base}/docs")
    _wait_for(driver, ".swagger-ui .opblock")
    title = driver.find_element(By.CSS_SELECTOR, ".swagger-ui .info .title").text
    assert "smartcity-registry" in title
    paths = {e.text for e in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert {"/api/v1/standards", "/sparql"} <= {p.replace("\u200b", "") for p in paths}, paths
    # Every resource the page loaded came from the server itself.
    loaded = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert loaded and all(url.startswith(base) for url in loaded), loaded
    _shot(driver, "12-docs-offline")


OFFLINE_PAGES = (
    "/",
    "/search?q=人口",
    "/category/1",
    "/graph?id=GB/T 22239-2019",
    "/impact?id=GB/T 22239-2019",
    "/validate",
    "/register",
    "/reviews",
    "/sparql",
    "/id/standard/GB-T-22239-2019",
    "/id/resource/101001-000001",
    "/id/interface/SY-DSJ-API-001",
    "/id/department/11210100EXAMPLE01N",
    "/redoc",
)


def test_every_page_renders_offline_from_the_server_alone(
    site: tuple[str, str], offline_browser
) -> None:
    """On the bureau's intranet nothing outside the server is reachable: every page
    renders (its heading shown, no error page) and every resource it loaded (styles,
    scripts, images) came from the server."""
    from selenium.webdriver.common.by import By

    base, _ = site
    driver = offline_browser
    for path in OFFLINE_PAGES:
        driver.get(f"{base}{path}")
        if path == "/redoc":
            _wait_for(driver, "redoc, .redoc-wrap, [class*='redoc']")
        else:
            assert _h1(driver), path
            assert not driver.find_elements(By.CSS_SELECTOR, "main .error-page"), path
        loaded = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        outside = [url for url in loaded if not url.startswith(base)]
        assert not outside, (path, outside)


def test_sparql_page_runs_an_example_offline(site: tuple[str, str], offline_browser) -> None:
    """/sparql in a browser is the query page: an example query, run from the form,
    shows its answer as a table with the protocol's downloads."""
    from selenium.webdriver.common.by import By

    base, _ = site
    driver = offline_browser
    driver.set_window_size(1280, 800)
    driver.get(f"{base}/sparql")
    assert _h1(driver) == "SPARQL 查询"
    assert "PREFIX scs:" in driver.find_element(By.ID, "query").get_attribute("value")
    driver.find_element(By.CSS_SELECTOR, "ul.examples a").click()
    shown = _wait_for(driver, "table.sparql")
    # The example is in the editor; running it again from the form gives the same table.
    driver.find_element(By.CSS_SELECTOR, "form.sparql button").click()
    # The new page's table, not the one still on screen while it loads (a race that
    # made the rows stale in CI).
    _gone(driver, shown)
    table = _wait_for(driver, "table.sparql")
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 6  # the six categories
    assert "总体标准" in rows[0].text
    names = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "p.downloads a")]
    assert names == ["JSON", "CSV", "XML", "TSV"]
    driver.set_window_size(1280, 1200)  # the editor and the whole table in the picture
    _shot(driver, "13-sparql")
    driver.set_window_size(1280, 800)


def test_the_validate_form_reads_openapi_and_dcat(site: tuple[str, str], browser) -> None:
    """The upload forms took neither OpenAPI nor DCAT: an OpenAPI document by its file
    name with its department and served resource in the folded fields, then a DCAT
    catalogue chosen in the select."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, _token = site
    driver = browser
    driver.get(f"{base}/validate")
    driver.find_element(By.ID, "file").send_keys(
        str(EXAMPLES / "openapi" / "population-verify.yaml")
    )
    driver.find_element(By.CSS_SELECTOR, "details.mapping-fields summary").click()
    driver.find_element(By.ID, "department").send_keys(BUREAU)
    driver.find_element(By.ID, "serves").send_keys("101001/000001")
    driver.find_element(By.CSS_SELECTOR, "form.upload button").click()
    _wait_for(driver, "section.report")
    verdict = driver.find_element(By.CSS_SELECTOR, ".verdict").text
    assert "符合规范" in verdict and "不符合" not in verdict, verdict
    _shot(driver, "validate-openapi")

    driver.get(f"{base}/validate")
    driver.find_element(By.ID, "file").send_keys(str(EXAMPLES / "dcat" / "ckan-catalogue.ttl"))
    Select(driver.find_element(By.ID, "format")).select_by_value("dcat")
    driver.find_element(By.CSS_SELECTOR, "form.upload button").click()
    _wait_for(driver, "section.report")
    verdict = driver.find_element(By.CSS_SELECTOR, ".verdict").text
    assert "符合规范" in verdict and "不符合" not in verdict, verdict
    _shot(driver, "validate-dcat")
