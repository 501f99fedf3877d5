"""Build the Hugging Face Space bundle: the Streamlit app, the trained model, pinned requirements.

`make space` writes it to build/space/ and `make deploy-space` uploads that folder. The bundle
is self-contained: the Space's Docker build installs its `requirements.txt` and runs `app.py`,
and needs nothing else from this repository. The requirements are the versions in uv.lock, the
same ones `make setup`, CI and the API image install.
"""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from {{ cookiecutter.package_name }} import TITLE
from {{ cookiecutter.package_name }}.core import modeldir
from {{ cookiecutter.package_name }}.core.errors import ProjectError
from {{ cookiecutter.package_name }}.core.reports import (
    FIGURES_DIR,
    METRICS_FILE,
    MODEL_CARD_FILE,
    read_metrics,
    results_table,
)
from {{ cookiecutter.package_name }}.serving.ui.settings import UISettings
from {{ cookiecutter.package_name }}.task import load_serving

SOURCES = Path(__file__).resolve().parent
ROOT = SOURCES.parent
PACKAGE = "{{ cookiecutter.package_name }}"
# Copied from space/ as they are.
STATIC_FILES = ("Dockerfile", "app.py", ".streamlit/config.toml")
# The Space is a Linux container (see the Dockerfile): requirements are chosen for it.
TARGET = {
    "os_name": "posix",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "python_version": "{{ cookiecutter.python_version }}",
    "python_full_version": "{{ cookiecutter.python_version }}.0",
}
# The lock file that `make setup` (uv) writes and keeps in step with pyproject.toml.
LOCK_FILE = ROOT / "uv.lock"
# PyTorch's CPU builds (the lock pins torch from this index: see pyproject.toml's tool.uv).
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


class BundleError(ProjectError):
    """The bundle cannot be built; the message says what is missing."""


def runtime_requirements(pyproject: Path) -> list[Requirement]:
    """What the app needs on the Space: the project's dependencies and its `ui` extra."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    specs = [*project["dependencies"], *project["optional-dependencies"]["ui"]]
    environment = {**default_environment(), **TARGET}
    requirements = [Requirement(spec) for spec in specs]
    return [req for req in requirements if req.marker is None or req.marker.evaluate(environment)]


def locked_versions(
    lock_file: Path, project: str, extras: tuple[str, ...] = ("ui",)
) -> dict[str, str]:
    """Every package the app needs on the Space, by name, with its version in uv.lock.

    Walks the lock from the project through its dependencies and the given extras, following
    the branches whose markers hold on the Space's platform (TARGET), as `uv export` does.
    """
    if not lock_file.is_file():
        raise BundleError(f"{lock_file} is missing: run `make setup`, which writes it; commit it")
    packages = tomllib.loads(lock_file.read_text(encoding="utf-8")).get("package", [])
    environment = {**default_environment(), **TARGET}

    def locked(name: str, version: str | None = None) -> dict[str, Any]:
        found = [p for p in packages if p["name"] == name and version in (None, p["version"])]
        if len(found) != 1:
            wanted = f"{name} {version}" if version else name
            raise BundleError(
                f"{lock_file} has {len(found)} entries for {wanted}: run `make setup` to rewrite it"
            )
        return found[0]

    root = locked(project)
    optional = root.get("optional-dependencies", {})
    todo = [*root.get("dependencies", []), *(d for e in extras for d in optional.get(e, []))]
    versions: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()  # (package, extra or "" for its own dependencies)
    while todo:
        dependency = todo.pop()
        marker = dependency.get("marker")
        if marker is not None and not Marker(marker).evaluate(environment):
            continue
        package = locked(dependency["name"], dependency.get("version"))
        versions[package["name"]] = package["version"]
        for extra in ("", *dependency.get("extra", [])):
            if (package["name"], extra) not in seen:
                seen.add((package["name"], extra))
                if extra:
                    todo.extend(package.get("optional-dependencies", {}).get(extra, []))
                else:
                    todo.extend(package.get("dependencies", []))
    return versions


def pinned_requirements(pyproject: Path, lock_file: Path = LOCK_FILE) -> str:
    """requirements.txt: the app's packages, each pinned with == to its version in uv.lock."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["name"]
    versions = locked_versions(lock_file, canonicalize_name(project))
    for requirement in runtime_requirements(pyproject):
        name = requirement.name
        version = versions.get(canonicalize_name(name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            locked = f"pins {name} {version}" if version else f"has no {name}"
            raise BundleError(
                f"{lock_file.name} {locked}, but pyproject.toml needs {requirement}: "
                "run `make setup` to update it; commit it"
            )
    index = [f"--extra-index-url {TORCH_CPU_INDEX}\n"] if "torch" in versions else []
    pins = [f"{name}=={version}\n" for name, version in sorted(versions.items())]
    return "".join([*index, *pins])


def front_matter(pyproject: Path) -> dict[str, Any]:
    """The Space's configuration: the README's YAML front matter (Docker SDK, Streamlit port)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    config: dict[str, Any] = {
        "title": TITLE,
        "emoji": "📊",
        "colorFrom": "blue",
        "colorTo": "green",
        "sdk": "docker",
        "app_port": 8501,
        "pinned": False,
    }
    if isinstance(project.get("license"), str):
        config["license"] = project["license"].lower()
    return config


def readme(pyproject: Path, reports_dir: Path) -> str:
    """The Space's README: front matter, space/README.md, and the results table if evaluated."""
    config = yaml.safe_dump(front_matter(pyproject), allow_unicode=True, sort_keys=False)
    text = f"---\n{config}---\n\n" + (SOURCES / "README.md").read_text(encoding="utf-8")
    if (reports_dir / METRICS_FILE).is_file():
        table = results_table(read_metrics(reports_dir / METRICS_FILE), load_serving().scoring)
        text += f"\n## Results\n\n{table}\n"
    return text


def build(model_dir: Path, reports_dir: Path, out: Path, lock_file: Path = LOCK_FILE) -> Path:
    """Write the bundle to `out` (replacing it whole, only once complete).

    Raises:
        ModelNotFoundError: `model_dir` holds no complete, consistent model.
        BundleError: uv.lock is missing or does not match pyproject.toml.
    """
    model = modeldir.load(model_dir)  # refuse a missing, partial or mismatched model first
    pyproject = ROOT / "pyproject.toml"
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        # The app and what serving needs; the pipeline and the API stay behind.
        shutil.copytree(
            ROOT / "src" / PACKAGE,
            staging / PACKAGE,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "api", "pipeline"),
        )
        (staging / "models").mkdir()
        for name in [modeldir.METADATA_FILE, *model.metadata["files"]]:
            shutil.copy2(model_dir / name, staging / "models" / name)
        (staging / "reports" / FIGURES_DIR).mkdir(parents=True)
        for name in (METRICS_FILE, MODEL_CARD_FILE):
            if (reports_dir / name).is_file():
                shutil.copy2(reports_dir / name, staging / "reports" / name)
        for figure in sorted((reports_dir / FIGURES_DIR).glob("*.png")):
            shutil.copy2(figure, staging / "reports" / FIGURES_DIR / figure.name)
        for name in STATIC_FILES:
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(SOURCES / name, staging / name)
        (staging / "requirements.txt").write_text(
            pinned_requirements(pyproject, lock_file), "utf-8"
        )
        (staging / "README.md").write_text(readme(pyproject, reports_dir), "utf-8")
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def main(
    out: Annotated[Path, typer.Option(help="Where the bundle is written.")] = Path("build/space"),
    model_dir: Annotated[
        Path | None, typer.Option(help="Model to ship (default: MODEL_DIR, or models).")
    ] = None,
    reports_dir: Annotated[
        Path | None, typer.Option(help="Reports to show (default: REPORTS_DIR, or reports).")
    ] = None,
    lock: Annotated[Path, typer.Option(help="The lock the requirements come from.")] = LOCK_FILE,
) -> None:
    """Build the Hugging Face Space bundle."""
    settings = UISettings()
    try:
        bundle = build(
            model_dir or settings.model_dir, reports_dir or settings.reports_dir, out, lock
        )
    except ProjectError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None
    files = [path for path in bundle.rglob("*") if path.is_file()]
    size = sum(path.stat().st_size for path in files)
    typer.echo(f"built {bundle}: {len(files)} files, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    typer.run(main)
