"""`specie serve` in a real browser: headless Chromium (Debian's chromium and
chromium-driver) driven by Selenium. Loads the page, types a misspelled attribute and sees
the diagnostic, fixes it and sees it go, opens a fixture and sees the tower's layers in the
chart, replays a fixture scenario and finds the CLI's paid figure, runs a 10,000-year
simulation and sees the curves. Screenshots go to target/browser/.

Run by .ci/run: `pytest -q tests/browser` (SPECIE_BIN names the binary; default
target/release/specie).
"""

import json
import urllib.request
import os
import pathlib
import subprocess
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("SPECIE_BIN", str(ROOT / "target/release/specie"))
SHOTS = ROOT / "target/browser"
PROGRAM = "fixtures/programs/crypto-native-crime-specie.specie"
SCENARIO = "fixtures/scenarios/crypto-native-crime-specie--year-of-claims.json"
MODEL = "fixtures/models/crypto-native-crime-specie--hot-wallet-drain.specie"
EVERY_KIND = "fixtures/models/crypto-native-crime-specie--every-kind.specie"
BOOK = "fixtures/book/custody-book.specie"
BOOK_SCENARIO = "fixtures/book/scenarios/custody-book--wallet-front-end-compromise.json"


def cli_json(*args):
    out = subprocess.run([BIN, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def grouped(amount):
    whole, _, cents = amount.partition(".")
    return f"{int(whole):,}" + (f".{cents}" if cents else "")


@pytest.fixture(scope="module")
def server():
    p = subprocess.Popen(
        [BIN, "serve", "--port", "0", PROGRAM, SCENARIO, MODEL, EVERY_KIND, BOOK, BOOK_SCENARIO],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = p.stdout.readline()
    url = line.split()[2].rstrip("/")
    assert url.startswith("http://127.0.0.1:"), line
    yield url
    p.terminate()
    p.wait(10)


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1280,800", f"--user-data-dir={tempfile.mkdtemp()}",
    ]:
        opts.add_argument(flag)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    yield d
    d.quit()


def wait(browser, what, timeout=30):
    return WebDriverWait(browser, timeout).until(what)


def shot(browser, pane, name):
    """A screenshot with `pane` scrolled into view; and no sideways scroll on the page."""
    browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.ID, pane))
    browser.save_screenshot(str(SHOTS / name))
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: {overflow} px of sideways scroll"


def test_the_workbench_end_to_end(server, browser):
    browser.get(server + "/")
    assert browser.title == "Specie workbench"

    # Open the fixture program: checked, and its tower drawn with every layer.
    Select(browser.find_element(By.ID, "open-program")).select_by_visible_text(PROGRAM)
    wait(browser, lambda b: b.find_element(By.ID, "check-status").text == "no diagnostics")
    chart = wait(browser, lambda b: b.find_element(By.CSS_SELECTOR, "#tower-chart svg"))
    for layer in ["Primary", "First excess", "Second excess"]:
        assert layer in chart.get_attribute("outerHTML"), layer
    shot(browser, "program-pane", "1-program-and-tower.png")

    # Type a misspelled attribute at the end of the text: the diagnostic appears, underlined.
    # Type a misspelled attribute before the program's closing brace.
    source = browser.find_element(By.ID, "source")
    source.click()
    browser.execute_script(
        "const t = arguments[0]; const i = t.value.lastIndexOf('}'); t.setSelectionRange(i, i);",
        source,
    )
    source.send_keys('  exclude "Typo" when coluding_staff >= 3', Keys.ENTER)
    item = wait(
        browser,
        lambda b: next(
            (li for li in b.find_elements(By.CSS_SELECTOR, "#diagnostics li")
             if "unknown field `coluding_staff`" in li.text),
            None,
        ),
    )
    assert "specie::type::unknown_field" in item.text
    assert "did you mean `colluding_staff`?" in item.text
    assert browser.find_element(By.CSS_SELECTOR, "#highlight mark").text == "coluding_staff"
    shot(browser, "program-pane", "2-diagnostic.png")

    # Fix it with the keyboard: the diagnostic goes.
    source.send_keys(Keys.UP, Keys.HOME)
    for _ in range(len('  exclude "Typo" when co')):
        source.send_keys(Keys.ARROW_RIGHT)
    source.send_keys("l")
    wait(browser, lambda b: b.find_element(By.ID, "check-status").text == "no diagnostics")
    assert browser.find_elements(By.CSS_SELECTOR, "#diagnostics li") == []

    # Replay the fixture scenario (keyboard: focus the button, Enter): the CLI's paid figure.
    expected = cli_json("replay", PROGRAM, SCENARIO, "--json")["totals"]["paid"]
    Select(browser.find_element(By.ID, "open-scenario")).select_by_visible_text(SCENARIO)
    browser.find_element(By.ID, "replay-button").send_keys(Keys.ENTER)
    total = wait(browser, lambda b: b.find_element(By.ID, "total-paid"))
    assert total.text == grouped(expected), (total.text, expected)
    # Each event expands into its explain trace.
    first = browser.find_element(By.CSS_SELECTOR, "#replay-result button.event")
    first.send_keys(Keys.ENTER)
    trace = wait(
        browser,
        lambda b: (t := b.find_element(By.CSS_SELECTOR, "#replay-result tr.trace pre")).text and t,
    )
    assert "valuation" in trace.text and "through program" in trace.text
    shot(browser, "replay-pane", "3-replay.png")

    # Simulate 10,000 years: the curves and the CLI's AAL.
    Select(browser.find_element(By.ID, "open-model")).select_by_visible_text(MODEL)
    years = browser.find_element(By.ID, "years")
    years.clear()
    years.send_keys("10000")
    browser.find_element(By.ID, "simulate-button").click()
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#simulate-chart svg"), timeout=120)
    cli = cli_json("simulate", PROGRAM, MODEL, "--years", "10000", "--json")
    ground_up = next(s for s in cli["summaries"] if s["summary"] == "ground_up")
    table = browser.find_element(By.ID, "simulate-result").text
    assert grouped(ground_up["aal"]) in table, (ground_up["aal"], table)
    wait(browser, lambda b: b.find_element(By.ID, "simulate-button").is_enabled())
    shot(browser, "simulate-pane", "4-simulation.png")


def test_a_narrow_window_has_no_sideways_scroll(server, browser):
    browser.set_window_size(600, 900)
    browser.get(server + "/")
    Select(browser.find_element(By.ID, "open-program")).select_by_visible_text(PROGRAM)
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#tower-chart svg"))
    shot(browser, "program-pane", "5-narrow.png")
    browser.set_window_size(1280, 800)


def test_a_portfolio_shows_the_book(server, browser):
    browser.get(server + "/")
    Select(browser.find_element(By.ID, "open-program")).select_by_visible_text(BOOK)
    chart = wait(browser, lambda b: b.find_element(By.CSS_SELECTOR, "#tower-chart svg"))
    assert "multisig_ui" in chart.get_attribute("outerHTML")
    expected = cli_json("replay", BOOK, BOOK_SCENARIO, "--json")["totals"]["paid"]
    Select(browser.find_element(By.ID, "open-scenario")).select_by_visible_text(BOOK_SCENARIO)
    browser.find_element(By.ID, "replay-button").send_keys(Keys.ENTER)
    total = wait(browser, lambda b: b.find_element(By.ID, "total-paid"))
    assert total.text == grouped(expected), (total.text, expected)
    shot(browser, "replay-pane", "6-book.png")


def test_a_long_simulation_shows_progress_and_cancels(server, browser):
    browser.get(server + "/")
    Select(browser.find_element(By.ID, "open-program")).select_by_visible_text(PROGRAM)
    wait(browser, lambda b: b.find_element(By.ID, "check-status").text == "no diagnostics")
    Select(browser.find_element(By.ID, "open-model")).select_by_visible_text(EVERY_KIND)
    years = browser.find_element(By.ID, "years")
    years.clear()
    years.send_keys("1000000")
    browser.find_element(By.ID, "simulate-button").send_keys(Keys.ENTER)
    progress = browser.find_element(By.ID, "simulate-progress")
    wait(browser, lambda b: float(progress.get_attribute("value")) > 0)
    browser.find_element(By.ID, "cancel-button").send_keys(Keys.ENTER)
    wait(browser, lambda b: b.find_element(By.ID, "simulate-result").text == "Cancelled.")

    def status():
        with urllib.request.urlopen(server + "/api/status") as r:
            return json.load(r)

    wait(browser, lambda b: status()["simulations_running"] == 0)
    assert status()["years_simulated"] < 1_000_000 + 10_000  # the 10,000-year run above, and a part of this one
    shot(browser, "simulate-pane", "7-cancelled.png")
