"""Print, as shell `export` lines, the uv settings that match this machine's pip configuration.

uv reads neither pip.conf nor the PIP_* variables, so a machine whose pip looks in a local wheel
folder or an extra index (a CPU build of torch, a company mirror) would lose them under uv.
`make setup` evaluates this script's output before it calls uv. A UV_* variable that is already
set wins over pip's value.

Extra indexes are searched after the main index, for the best version across all of them (pip's
behaviour, and uv's `unsafe-best-match`): a partial local mirror then never narrows uv.lock to
the few versions or platforms it happens to hold.
"""

from __future__ import annotations

import ast
import os
import shlex
import subprocess
import sys
from pathlib import Path

PYPI = "https://pypi.org/simple"
# pip's precedence: PIP_* variables over a config file's [install] section over its [global].
SECTIONS = (":env:", "install", "global")


def pip_config() -> dict[str, str]:
    """The settings pip uses, by name, from `pip config list` (none when pip is missing)."""
    try:
        listed = subprocess.run(
            [sys.executable, "-m", "pip", "config", "list"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    found: dict[tuple[str, str], str] = {}
    for line in listed.splitlines():
        key, equals, value = line.partition("=")
        section, dot, name = key.rpartition(".")
        if equals and dot and section in SECTIONS:
            found[section, name] = str(ast.literal_eval(value))  # pip prints values as repr()
    names = {name for _, name in found}
    return {
        name: next(found[section, name] for section in SECTIONS if (section, name) in found)
        for name in names
    }


def local_path(location: str) -> Path | None:
    """The local path of a find-links entry or file, None for a remote URL."""
    if location.startswith("file://"):
        return Path(location.removeprefix("file://"))
    return None if "://" in location else Path(location)


def existing(locations: list[str]) -> list[str]:
    """The entries uv can read: URLs, and the local paths that exist.

    pip skips a missing folder with a warning; uv stops with an error.
    """
    return [loc for loc in locations if (path := local_path(loc)) is None or path.exists()]


def uv_settings(pip: dict[str, str]) -> dict[str, str]:
    """The UV_* variables (and SSL_CERT_FILE) equivalent to pip's settings."""
    settings: dict[str, str] = {}
    find_links = existing(pip.get("find-links", "").split())
    if find_links:
        settings["UV_FIND_LINKS"] = ",".join(find_links)
    main = pip.get("index-url", "").strip()
    if main:
        settings["UV_DEFAULT_INDEX"] = main
    extra = pip.get("extra-index-url", "").split()
    if extra:
        settings["UV_INDEX"] = " ".join([main or PYPI, *extra])
        settings["UV_INDEX_STRATEGY"] = "unsafe-best-match"
    if pip.get("no-index", "").lower() in {"1", "true", "yes", "on"}:
        settings["UV_NO_INDEX"] = "1"
    constraints = existing(pip.get("constraint", "").split())
    if constraints:
        # Read by `uv pip install`; a project's lock takes its constraints from pyproject.toml.
        settings["UV_CONSTRAINT"] = " ".join(constraints)
    cert = pip.get("cert", "")
    if cert and Path(cert).is_file():
        settings["SSL_CERT_FILE"] = cert
    return settings


def main() -> None:
    """Print an `export` line for each setting not already in the environment."""
    for name, value in uv_settings(pip_config()).items():
        if name not in os.environ:
            print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
