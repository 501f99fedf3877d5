"""Save a picture of the demo app for the README (`make screenshot`).

Starts the app (`{{ cookiecutter.project_slug }} ui`) on a free loopback port, opens it in a
headless Chromium driven by Selenium, submits the prediction form as first shown and saves the
page once the prediction is on screen. Needs Chromium and its driver on PATH (Debian/Ubuntu:
`apt-get install chromium chromium-driver`); nothing is downloaded and the app is stopped at the
end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

SLUG = "{{ cookiecutter.project_slug }}"
WINDOW = "1280,1000"
# A quiet, isolated headless Chromium that reaches nothing but the app.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--hide-scrollbars",
    f"--window-size={WINDOW}",
)


class ScreenshotError(Exception):
    """The picture cannot be taken; the message says why and what to do."""


def browser() -> tuple[str, str]:
    """Paths of Chromium and its driver."""
    binary = next(
        (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
    )
    driver = shutil.which("chromedriver")
    if binary is None or driver is None:
        raise ScreenshotError(
            "Chromium and chromedriver must be on PATH "
            "(Debian/Ubuntu: apt-get install chromium chromium-driver)"
        )
    return binary, driver


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def running_app(model_dir: Path, reports_dir: Path, timeout: float) -> Iterator[str]:
    """The app on a free loopback port, for the duration of the block; yields its URL."""
    # This interpreter's environment first: `.venv/bin/python scripts/screenshot.py` works too.
    search = os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", "")))
    command = shutil.which(SLUG, path=search)
    if command is None:
        raise ScreenshotError(f"the '{SLUG}' command is not installed: run `make setup` first")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [command, "ui", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--model-dir", str(model_dir), "--reports-dir", str(reports_dir)]
    with tempfile.TemporaryFile(mode="w+") as log:
        # Its own process group, so that stopping it stops Streamlit too.
        app = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            while not _answers(f"{url}/_stcore/health"):
                if app.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise ScreenshotError(f"the app did not start on {url}:\n{log.read()[-2000:]}")
                time.sleep(0.25)
            yield url
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(app.pid, signal.SIGTERM)
            try:
                app.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(app.pid, signal.SIGKILL)
                app.wait()


def capture(url: str, out: Path, timeout: float, tools: tuple[str, str]) -> str:
    """Submit the form as first shown, save the page to `out`; return the prediction shown.

    `tools` are the paths of Chromium and its driver, from `browser()`.
    """
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shown
    from selenium.webdriver.support.ui import WebDriverWait

    binary, driver_path = tools
    with tempfile.TemporaryDirectory() as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = binary
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        try:
            wait = WebDriverWait(driver, timeout)
            driver.get(url)
            predict = (By.XPATH, "//button[normalize-space()='Predict']")
            wait.until(shown.element_to_be_clickable(predict)).click()
            headline = wait.until(
                shown.visibility_of_element_located(
                    (By.CSS_SELECTOR, '[data-testid="stMetricValue"]')
                )
            )
            prediction = str(headline.text).strip()
            # A classifier's probability chart draws after the headline; a regressor has none.
            with contextlib.suppress(TimeoutException):
                WebDriverWait(driver, 5).until(
                    shown.presence_of_element_located(
                        (By.CSS_SELECTOR, '[data-testid="stVegaLiteChart"]')
                    )
                )
            time.sleep(1)  # let the last element finish drawing
            out.parent.mkdir(parents=True, exist_ok=True)
            partial = out.with_name(f".{out.name}.tmp")
            if not driver.save_screenshot(str(partial)):
                raise ScreenshotError(f"Chromium could not save {out}")
            partial.replace(out)
        except TimeoutException:
            raise ScreenshotError(
                f"the app at {url} showed no prediction within {timeout:g} s"
            ) from None
        finally:
            driver.quit()
    return prediction


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, take the picture, say where it is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("reports/app.png"), help="PNG to write")
    parser.add_argument("--model-dir", type=Path, default=Path("models"))
    parser.add_argument("--reports-dir", type=Path, default=Path("reports"))
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for the app")
    args = parser.parse_args(argv)
    try:
        if not (args.model_dir / "metadata.json").is_file():
            raise ScreenshotError(
                f"no trained model in {args.model_dir}: run `make pipeline` first"
            )
        tools = browser()
        with running_app(args.model_dir, args.reports_dir, args.timeout) as url:
            prediction = capture(url, args.out, args.timeout, tools)
    except ScreenshotError as error:
        print(f"screenshot: {error}", file=sys.stderr)
        return 1
    print(f"saved {args.out} (the app predicted {prediction})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
