"""The arena and leaderboard pages in a real headless Chromium against a live `switchyard up`.

Screenshots land in test-output/screenshots/.
"""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import MODEL, RIVAL, SCREENSHOTS


def test_arena_streams_both_answers_and_reveals_after_a_vote(browser, switchyard):
    browser.get(switchyard["gateway"] + "/arena")
    browser.find_element(By.ID, "prompt").send_keys("Which river is longest")
    browser.find_element(By.ID, "send").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "vote-a").is_enabled())
    for side in ("a", "b"):
        answer = browser.find_element(By.ID, f"answer-{side}").text
        assert "Which river is longest" in answer
        assert answer.count("Which") > 1  # the prompt echo plus the simulated answer
    assert browser.find_element(By.ID, "name-a").text == "Model A"
    browser.save_screenshot(str(SCREENSHOTS / "arena-answers.png"))

    browser.find_element(By.ID, "vote-b").click()
    WebDriverWait(browser, 10).until(lambda d: ":" in d.find_element(By.ID, "name-a").text)
    revealed = {browser.find_element(By.ID, f"name-{side}").text.split(": ", 1)[1] for side in ("a", "b")}
    assert revealed == {MODEL, RIVAL}
    assert "Thanks for voting" in browser.find_element(By.ID, "status").text
    browser.save_screenshot(str(SCREENSHOTS / "arena-revealed.png"))


def test_leaderboard_lists_the_voted_models(browser, switchyard):
    browser.get(switchyard["gateway"] + "/leaderboard")
    WebDriverWait(browser, 20).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#rows tr")) >= 2)
    rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#rows tr")]
    assert any(MODEL in row for row in rows)
    assert any(RIVAL in row for row in rows)
    assert "votes" in browser.find_element(By.ID, "summary").text
    browser.save_screenshot(str(SCREENSHOTS / "leaderboard.png"))
