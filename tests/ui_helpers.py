"""Train a small model for a generated project, serve a Streamlit app, drive it in Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import ENV, run
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


@dataclass(frozen=True)
class TrainedModel:
    """A model trained on shrunk params, with its reports, outside the project directory."""

    project: Path
    root: Path
    model_dir: Path
    reports_dir: Path
    data_dir: Path


def train_small(project: Path, root: Path) -> TrainedModel:
    """Run prepare → train → evaluate of `project` on shrunk params, writing under `root`."""
    params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    params["train"]["cv_folds"] = 2
    params["models"]["random_forest"]["n_estimators"] = 10
    params["models"]["xgboost"]["n_estimators"] = 20
    params["evaluate"].update(permutation_repeats=1, learning_curve_points=2)
    params_file = root / "params.yaml"
    params_file.write_text(yaml.safe_dump(params), encoding="utf-8")
    data_dir, model_dir, reports_dir = root / "data", root / "models", root / "reports"
    env = {"MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlflow.db'}"}
    cli = project.name
    run(cli, "prepare", "--params", params_file, "--out-dir", data_dir, cwd=project, env=env)
    common = ("--params", params_file, "--data-dir", data_dir, "--model-dir", model_dir)
    run(cli, "train", *common, cwd=project, env=env)
    run(cli, "evaluate", *common, "--reports-dir", reports_dir, cwd=project, env=env)
    return TrainedModel(project, root, model_dir, reports_dir, data_dir)


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
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
def serve(
    command: list[str], cwd: Path, port: int, log: Path, env: dict[str, str], timeout: float = 120
) -> Iterator[tuple[str, float]]:
    """Start a Streamlit server; yield its URL and start-up seconds once /_stcore/health answers.

    The server runs in its own process group and is stopped (group-wide) on exit.
    """
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**ENV, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = started + timeout
            while not _answers(f"{url}/_stcore/health"):
                if process.poll() is not None or time.perf_counter() > deadline:
                    pytest.fail(
                        f"streamlit did not come up on {url} (exit {process.poll()}):\n"
                        + log.read_text(errors="replace")[-4000:]
                    )
                time.sleep(0.25)
            yield url, time.perf_counter() - started
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


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
