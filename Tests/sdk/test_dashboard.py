"""The gateway's dashboard in a real headless Chromium against a live `switchyard up`.

The screenshot lands in test-output/screenshots/dashboard.png.
"""
import json
import urllib.error
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import MODEL, RIVAL, SCREENSHOTS, launch_up, stop_up

UNKNOWN = "no-such-model-for-the-dashboard"


def rows(browser, table):
    """The rows' text, read in one script: the page replaces its rows at every poll, so elements
    found one call earlier may be gone."""
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map((row) => row.innerText.replace(/\\s+/g, ' ').trim())",
        f"#{table} tbody tr")


def test_dashboard_shows_workers_stats_errors_and_streams_a_playground_reply(browser, switchyard):
    request = urllib.request.Request(
        switchyard["base_url"] + "/chat/completions",
        data=json.dumps({"model": UNKNOWN, "messages": [{"role": "user", "content": "hi"}]}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(request, timeout=10)
    assert failure.value.code == 404
    with urllib.request.urlopen(switchyard["gateway"] + "/api/v1/gateway/workers", timeout=10) as response:
        addresses = {worker["address"] for worker in json.load(response)["workers"]}
    assert len(addresses) == 2

    browser.get(switchyard["gateway"] + "/")
    WebDriverWait(browser, 20).until(lambda d: len(rows(d, "workers")) == 2 and all("ready" in row for row in rows(d, "workers")))
    workers = rows(browser, "workers")
    assert {row.split()[0] for row in workers} == addresses
    assert any(MODEL in row for row in workers) and any(RIVAL in row for row in workers)
    # Earlier tests in the session ask the simulator for failures, which may trip a breaker for a while.
    assert all(any(state in row for state in ("closed", "open", "half")) for row in workers)

    WebDriverWait(browser, 20).until(lambda d: UNKNOWN in d.find_element(By.ID, "errors").text)
    errors = browser.find_element(By.ID, "errors").text
    assert "404" in errors and "does not exist" in errors
    assert any(UNKNOWN in row for row in rows(browser, "models-stats"))

    WebDriverWait(browser, 20).until(
        lambda d: MODEL in d.execute_script("return [...document.getElementById('playground-model').options].map((o) => o.value)"))
    Select(browser.find_element(By.ID, "playground-model")).select_by_value(MODEL)
    browser.find_element(By.ID, "playground-prompt").send_keys("Name a long river")
    browser.find_element(By.ID, "playground-send").click()
    WebDriverWait(browser, 30).until(lambda d: "Answered by" in d.find_element(By.ID, "playground-status").text)
    assert browser.find_element(By.ID, "playground-reply").text.strip()
    assert "first token" in browser.find_element(By.ID, "playground-status").text

    # The playground's request shows up in the model's row at the next poll.
    def model_requests(d):
        row = next((row for row in rows(d, "models-stats") if row.startswith(MODEL + " ")), "")
        return int(row.split()[1]) if row else 0
    WebDriverWait(browser, 20).until(lambda d: model_requests(d) >= 1)

    # The whole page in one picture: the window is the page's height plus the browser's own frame.
    height, frame = browser.execute_script(
        "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]")
    browser.set_window_size(1280, max(900, height + frame + 8))
    browser.save_screenshot(str(SCREENSHOTS / "dashboard.png"))


def test_dashboard_is_also_at_slash_dashboard(browser, switchyard):
    browser.get(switchyard["gateway"] + "/dashboard")
    WebDriverWait(browser, 20).until(lambda d: len(rows(d, "workers")) == 2)
    links = {link.get_attribute("pathname") for link in browser.find_elements(By.CSS_SELECTOR, "header nav a")}
    assert {"/arena", "/leaderboard"} <= links


def test_a_gateway_with_api_keys_asks_the_page_for_one(browser):
    """With --api-key the dashboard's data and the arena need the key; the pages ask for it once."""
    process, log, urls = launch_up("keyed", "--api-key", "dashboard-secret")
    try:
        browser.get(urls["gateway"] + "/")
        WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "key-form").is_displayed())
        assert "401" in browser.find_element(By.ID, "summary").text
        assert rows(browser, "workers") == []
        browser.find_element(By.ID, "api-key").send_keys("dashboard-secret")
        browser.find_element(By.CSS_SELECTOR, "#key-form button").click()
        WebDriverWait(browser, 20).until(lambda d: len(rows(d, "workers")) == 2)
        assert not browser.find_element(By.ID, "key-form").is_displayed()

        # Without a kept key, the arena asks for one on its first 401 and then battles.
        browser.execute_script("sessionStorage.clear()")
        browser.get(urls["gateway"] + "/arena")
        browser.find_element(By.ID, "prompt").send_keys("Name a long river")
        browser.find_element(By.ID, "send").click()
        alert = WebDriverWait(browser, 20).until(expected_conditions.alert_is_present())
        assert "API key" in alert.text
        alert.send_keys("dashboard-secret")
        alert.accept()
        WebDriverWait(browser, 30).until(lambda d: "Which answer is better?" in d.find_element(By.ID, "status").text)
    finally:
        browser.execute_script("sessionStorage.clear()")
        stop_up(process, log)
