"""Issue 30: the demo's web chat page in a real browser at a phone's width (320 and 420 px).

Headless Chromium (Debian's ``chromium`` and ``chromium-driver``, which ``make test`` installs
where it can) walks /start → /propose → a plan → the first answer, typing and clicking as a
person would, and the layout is measured: no horizontal scroll, every button inside the
viewport, inline buttons as wide as the chat, a long label on one line cut with "…". A
screenshot of each width is kept in ``var/test-artifacts`` (or ``$TEST_ARTIFACTS_DIR``).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from sandbox.client import SandboxClient
from sandbox.server import Sandbox
from tests.conftest import PG_URL

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS_DIR")
    or Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
)

pytestmark = [
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="Debian's chromium and chromium-driver are not installed "
        "(scripts/system-packages.sh browser installs them; it needs apt-get and root)",
    ),
    pytest.mark.skipif(
        bool(PG_URL), reason="the page does not depend on the database: it runs with SQLite"
    ),
]

#: What the page is measured by, in the browser.
LAYOUT = """
const doc = document.documentElement, chat = document.getElementById("chat");
const style = getComputedStyle(chat);
const pad = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
const visible = [...document.querySelectorAll("button")].filter((b) => b.offsetParent !== null);
const inline = [...document.querySelectorAll(".inline button")];
const lineHeight = (b) => parseFloat(getComputedStyle(b).lineHeight) || 20;
return {
  viewport: window.innerWidth,
  scrollWidth: doc.scrollWidth,
  chatOverflow: chat.scrollWidth - chat.clientWidth,
  outside: visible.map((b) => [b.textContent, b.getBoundingClientRect()])
    .filter(([, r]) => r.left < -0.5 || r.right > window.innerWidth + 0.5).map(([t]) => t),
  multiline: inline.filter((b) => b.getBoundingClientRect().height
    > lineHeight(b) * 1.5 + 14).map((b) => b.textContent),
  cut: inline.filter((b) => b.scrollWidth > b.clientWidth).map((b) => b.textContent),
  keyboardWidths: [...document.querySelectorAll(".inline")]
    .map((k) => k.getBoundingClientRect().width),
  chatWidth: chat.clientWidth - pad,
  bubbles: document.querySelectorAll(".row.bot .bubble").length,
  lastBot: [...document.querySelectorAll(".row.bot .bubble")].map((b) => b.textContent).pop() || "",
};
"""


@contextmanager
def browser(url: str, width: int, shot: Path) -> Iterator[Any]:
    """Headless Chromium showing ``url`` at ``width`` px; a screenshot at the end (or of the
    failure, with the page's text printed beside it)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tempfile.mkdtemp(prefix='chat-page-')}",
        f"--window-size={width},740",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    shot.parent.mkdir(parents=True, exist_ok=True)
    try:
        driver.set_window_size(width, 740)
        driver.get(url)
        yield driver
    except Exception:
        driver.save_screenshot(str(shot.with_name(f"failed-{shot.name}")))
        print(driver.find_element(By.TAG_NAME, "body").text)
        raise
    else:
        driver.save_screenshot(str(shot))
    finally:
        driver.quit()


def typed(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.ID, "text")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def walk(url: str, width: int, shot: Path) -> list[dict[str, Any]]:
    """/start → /propose → a plan → the first answer; the layout after each step (in a
    thread: Selenium blocks, and the bot answers on the test's event loop)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    steps: list[dict[str, Any]] = []
    with browser(url, width, shot) as driver:
        wait = WebDriverWait(driver, 30)

        def seen() -> tuple[int, str]:
            layout = driver.execute_script(LAYOUT)
            return int(layout["bubbles"]), str(layout["lastBot"])

        def after(act: Any) -> None:
            """Act, then wait for the bot: a new message, or a button's message edited."""
            before = seen()
            act()
            wait.until(lambda d: seen() != before)
            steps.append(driver.execute_script(LAYOUT))

        wait.until(lambda d: d.find_element(By.ID, "userSelect").get_attribute("value") == "1001")
        after(lambda: typed(driver, "/start"))
        after(lambda: typed(driver, "/propose"))
        plans = driver.find_elements(By.CSS_SELECTOR, ".row.bot:last-child .inline button")
        assert plans, "the plan list has buttons"
        after(plans[0].click)
        answers = driver.find_elements(By.CSS_SELECTOR, ".row.bot:last-child .inline button")
        assert answers, "the first question has buttons"
        after(answers[0].click)
    return steps


WORDS = """
return {
  lang: document.documentElement.lang,
  placeholder: document.getElementById("text").placeholder,
  picker: document.getElementById("userSelect").options[0].textContent,
  block: document.getElementById("blockBtn").textContent,
  switcher: document.getElementById("langBtn").textContent,
  photos: [...document.querySelectorAll(".row img")].map((i) => i.complete ? i.naturalWidth : 0),
};
"""


def words_and_photo(url: str, shot: Path) -> list[dict[str, Any]]:
    """The page's words in English, then in Vietnamese (its own switch); a sample photo sent."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    seen: list[dict[str, Any]] = []
    with browser(url, 360, shot) as driver:
        wait = WebDriverWait(driver, 30)
        wait.until(lambda d: d.find_element(By.ID, "userSelect").get_attribute("value") == "1001")
        seen.append(driver.execute_script(WORDS))
        driver.find_element(By.ID, "langBtn").click()
        seen.append(driver.execute_script(WORDS))
        driver.find_element(By.ID, "photoBtn").click()
        wait.until(lambda d: any(d.execute_script(WORDS)["photos"]))
        seen.append(driver.execute_script(WORDS))
    return seen


@pytest.mark.parametrize("width", [320, 420])
async def test_the_chat_page_fits_a_phone(
    width: int, bot_app: App, client: SandboxClient, sandbox: Sandbox, seeded: None
) -> None:
    await client.user(1001, "A Thút (già làng)", language_code="vi")
    shot = ARTIFACTS / f"chat-page-{width}px.png"
    steps = await asyncio.to_thread(walk, f"{sandbox.base_url}/?user=1001&lang=vi", width, shot)
    assert len(steps) == 4
    start, plans, question, answered = steps
    assert "/propose" in start["lastBot"]
    assert "Bước 1/" in question["lastBot"], question["lastBot"]
    assert "Bước 2/" in answered["lastBot"], answered["lastBot"]
    for layout in steps:
        assert layout["viewport"] == width
        assert layout["scrollWidth"] <= width, "the page scrolls sideways"
        assert layout["chatOverflow"] <= 0, "the chat scrolls sideways"
        assert layout["outside"] == [], "buttons outside the viewport"
        assert layout["multiline"] == [], "an inline button's label wraps"
        # Inline keyboards span the chat, not the bubble above them.
        for keyboard in layout["keyboardWidths"]:
            assert keyboard >= layout["chatWidth"] - 1
    # The plan list's long titles are cut with "…" on one line, not wrapped.
    assert plans["cut"], "no long label was exercised"
    assert shot.stat().st_size > 5000


async def test_the_page_speaks_english_and_vietnamese_and_shows_photos(
    bot_app: App, client: SandboxClient, sandbox: Sandbox, seeded: None
) -> None:
    await client.user(1001, "A Thút (già làng)", language_code="vi")
    shot = ARTIFACTS / "chat-page-photo-360px.png"
    english, vietnamese, photo = await asyncio.to_thread(
        words_and_photo, f"{sandbox.base_url}/?user=1001&lang=en", shot
    )
    assert english == {
        "lang": "en",
        "placeholder": "Message",
        "picker": "— demo user —",
        "block": "Block",
        "switcher": "VI",
        "photos": [],
    }
    assert vietnamese == {
        "lang": "vi",
        "placeholder": "Tin nhắn",
        "picker": "— chọn người dùng —",
        "block": "Chặn bot",
        "switcher": "EN",
        "photos": [],
    }
    assert photo["photos"] == [320]  # drawn by the page, a real JPEG the browser decodes
