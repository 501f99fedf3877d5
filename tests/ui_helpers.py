"""Drive a served Streamlit app in a real headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

# Flags for a quiet, isolated headless Chromium that reaches nothing but the app.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--window-size=1400,1100",
)


def browser_tools() -> tuple[str, str]:
    """Paths of chromium and chromedriver; skip (fail on CI) when they are not installed."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    message = "needs Debian's chromium and chromium-driver packages (.ci/run installs them)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[WebDriver]:
    """A headless Chromium driven by selenium, with a fresh user-data directory."""
    binary, driver_path = browser_tools()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()


def predict_in_browser(driver: WebDriver, url: str, screenshot: Path, timeout: float = 90) -> str:
    """Open the app, submit the prediction form as filled in, return the headline shown.

    The page is saved to `screenshot` (PNG) once the prediction is on screen.
    """
    wait = WebDriverWait(driver, timeout)
    driver.get(url)
    submit = wait.until(
        ready.element_to_be_clickable((By.XPATH, "//button[normalize-space()='Predict']"))
    )
    submit.click()
    headline = wait.until(
        ready.visibility_of_element_located((By.CSS_SELECTOR, '[data-testid="stMetricValue"]'))
    )
    text = str(headline.text).strip()
    # Let the probability chart finish drawing before the picture is taken.
    with contextlib.suppress(TimeoutException):
        WebDriverWait(driver, 10).until(
            ready.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="stVegaLiteChart"]'))
        )
    time.sleep(1)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(screenshot))
    return text
