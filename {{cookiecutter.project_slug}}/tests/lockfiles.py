"""A miniature uv.lock for the Space bundle's tests (the real one needs the package index)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def write_lock(
    path: Path, version: str = "1000.0", versions: Mapping[str, str] | None = None
) -> Path:
    """A uv.lock in miniature for this project: every requirement of pyproject.toml locked at
    `version` (or its own in `versions`), and streamlit with a dependency of its own, as
    `make setup` would lock them."""
    versions = versions or {}
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = project["project"]

    def entry(spec: str) -> str:
        requirement = Requirement(spec)
        fields: dict[str, str] = {"name": canonicalize_name(requirement.name)}
        if requirement.marker is not None:
            fields["marker"] = str(requirement.marker)
        pairs = ", ".join(f"{key} = {json.dumps(value)}" for key, value in fields.items())
        return "{ " + pairs + " }"

    extras: dict[str, list[str]] = project["optional-dependencies"]
    specs = [*project["dependencies"], *(spec for deps in extras.values() for spec in deps)]
    lines = [
        "version = 1",
        "[[package]]",
        f'name = "{canonicalize_name(project["name"])}"',
        'version = "0.1.0"',
        'source = { editable = "." }',
        f"dependencies = [{', '.join(map(entry, project['dependencies']))}]",
        "[package.optional-dependencies]",
        *(f"{extra} = [{', '.join(map(entry, deps))}]" for extra, deps in extras.items()),
    ]
    for name in sorted({canonicalize_name(Requirement(spec).name) for spec in specs}):
        lines += ["[[package]]", f'name = "{name}"', f'version = "{versions.get(name, version)}"']
        if name == "streamlit":
            lines.append('dependencies = [{ name = "tornado" }]')
    lines += ["[[package]]", 'name = "tornado"', 'version = "6.5.0"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
