"""A real headless Chromium driven by Selenium, for the web UI's proofs: Debian's `chromium` and
`chromium-driver` (CI's .ci/run installs them), never a browser downloaded at test time.

The `browser` fixture skips, saying why, when either is missing. Screenshots are 1440×900 PNGs written to
`$WAVECD_SCREENSHOTS`, else `<tmp>/wavecd-screenshots` — outside the repository, never committed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

WIDTH, HEIGHT = 1440, 900
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def screenshot_folder() -> Path:
    folder = Path(os.environ.get("WAVECD_SCREENSHOTS") or Path(tempfile.gettempdir()) / "wavecd-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Browser:
    """One Chromium tab on `base_url`, and the few things the proofs do with it."""

    def __init__(self, driver: Any, base_url: str):
        self.driver = driver
        self.base_url = base_url

    def open(self, path: str = "/") -> None:
        self.driver.get(self.base_url + path)

    def go(self, fragment: str) -> None:
        """Follow an in-page link (`#/tree`): the page is not reloaded, as a user's click does not reload it."""
        self.js(f"location.hash = {fragment!r}")

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def fetch(self, method: str, path: str) -> dict[str, Any]:
        """A request made from the page with the tab's own token, as a user could type it into the console."""
        return self.driver.execute_async_script(
            """const [method, path, done] = arguments;
            const headers = {Authorization: "Bearer " + sessionStorage.getItem("wavecd.token")};
            fetch(path, {method, headers, body: method === "GET" ? undefined : "{}"})
              .then(async (r) => done({status: r.status, body: await r.text()}))
              .catch((e) => done({status: 0, body: String(e)}));""",
            method,
            path,
        )

    def click(self, selector: str) -> None:
        """Click the element at `selector`, scrolled to the middle of the view first (the header is sticky).
        The page redraws parts of itself as the stream brings news: an element replaced between finding and
        clicking it is found again, as a user's next try would find it."""
        for attempt in range(5):
            try:
                element = self.driver.find_element("css selector", selector)
                self.js("arguments[0].scrollIntoView({block: 'center'})", element)
                element.click()
                return
            except Exception as err:  # selenium is imported only when the browser fixture runs
                if type(err).__name__ != "StaleElementReferenceException" or attempt == 4:
                    raise
                time.sleep(0.2)

    def choose(self, selector: str, value: str) -> None:
        """Pick `value` in the <select> at `selector`, as a user's choice does (a `change` event)."""
        self.js(
            "const el = document.querySelector(arguments[0]); el.value = arguments[1];"
            " el.dispatchEvent(new Event('change'))",
            selector,
            value,
        )

    def sign_in(self, token: str, *, accepted: bool = True) -> None:
        """Paste `token` into the sign-in page; when `accepted`, wait for the first page to be drawn."""
        self.open("/")
        self.wait("the sign-in form", "return !!document.querySelector('#token')")
        field = self.driver.find_element("css selector", "#token")
        field.clear()
        field.send_keys(token)
        self.driver.find_element("css selector", "form.signin button[type=submit]").click()
        if accepted:
            self.wait("the first page after signing in", "return document.body.dataset.ready")

    def confirm(self) -> None:
        """Press the OK button of the dialog that is open (or about to open)."""
        self.wait("the dialog", "return !!document.querySelector('dialog.modal[open]')")
        self.click("dialog.modal button[value=ok]")

    def wait(self, what: str, script: str, timeout: float = 60, *args: Any) -> Any:
        """Until `script` returns something truthy; that value. Fails naming `what` and the page's text."""
        return self.until(what, lambda: self.js(script, *args), timeout)

    def until(self, what: str, check: Callable[[], Any], timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                text = self.js("return document.body.innerText")[:3000]
                raise AssertionError(f"timed out waiting for {what}; the page shows:\n{text}")
            time.sleep(0.2)

    def script_errors(self) -> list[str]:
        """What the page logged as errors, but for refused requests (a test makes some on purpose)."""
        entries = self.driver.get_log("browser")
        return [
            e["message"] for e in entries if e["level"] == "SEVERE" and "Failed to load resource" not in e["message"]
        ]

    def shot(self, name: str) -> Path:
        path = screenshot_folder() / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path


@pytest.fixture
def browser_factory(tmp_path: Path) -> Iterator[Callable[[str], Browser]]:
    """`browser_factory(base_url)`: a fresh headless Chromium (its own profile) per call, all closed after."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip(
            "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        )
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (the dev extra) is not installed")
    drivers: list[Any] = []

    def start(base_url: str) -> Browser:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in (
            "--headless=new",
            "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--disable-extensions",
            f"--window-size={WIDTH},{HEIGHT}",
            f"--user-data-dir={tmp_path / f'chromium-{len(drivers)}'}",
        ):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
        drivers.append(driver)
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        driver.set_script_timeout(30)
        return Browser(driver, base_url)

    yield start
    for driver in drivers:
        errors = Browser(driver, "").script_errors()
        driver.quit()
        assert not errors, f"the page logged errors: {errors}"
