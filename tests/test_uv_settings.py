"""pip's find-links folders and indexes handed to uv (`tools/uv_settings.py` of the projects,
which the template's Makefile uses too): the same sources, in an order that keeps locks whole."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from helpers import ENV, TEMPLATE, UV

SCRIPT = TEMPLATE / "{{cookiecutter.project_slug}}" / "tools" / "uv_settings.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("uv_settings", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def script_env(tmp_path: Path, pip_conf: str, **variables: str) -> dict[str, str]:
    """An environment whose only pip configuration is `pip_conf` and `variables`."""
    conf = tmp_path / "pip.conf"
    conf.write_text(pip_conf, encoding="utf-8")
    env = {k: v for k, v in ENV.items() if not k.startswith(("PIP_", "UV_", "SSL_CERT_FILE"))}
    # pip reads PIP_CONFIG_FILE last, over the machine's own files.
    return {**env, "PIP_CONFIG_FILE": str(conf), **variables}


def exports(env: dict[str, str], cwd: Path) -> dict[str, str]:
    """The variables the script exports, evaluated by a shell as the Makefiles do."""
    shell = f'eval "$({sys.executable} {SCRIPT})"; env -0'
    result = subprocess.run(
        ["bash", "-c", shell], cwd=cwd, env=env, capture_output=True, check=True, timeout=120
    )
    after = dict(item.split("=", 1) for item in result.stdout.decode().split("\0") if item)
    return {k: v for k, v in after.items() if k.startswith("UV_") and env.get(k) != v}


def test_pip_settings_become_uv_settings(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("torch<=2.14.1\n", encoding="utf-8")
    pip = {
        "find-links": f"{wheels} /no/such/folder https://example.org/wheels file://{wheels}",
        "extra-index-url": "file:///no/such/simple https://mirror.example.org/simple",
        "constraint": f"{constraints} /no/such/constraints.txt",
        "no-index": "false",
    }
    assert load_script().uv_settings(pip) == {
        # Missing local folders are dropped: uv stops on them where pip only warns.
        "UV_FIND_LINKS": f"{wheels},https://example.org/wheels,file://{wheels}",
        # The main index first: a partial mirror adds versions, it never hides PyPI's.
        "UV_INDEX": "https://pypi.org/simple file:///no/such/simple https://mirror.example.org/simple",
        "UV_INDEX_STRATEGY": "unsafe-best-match",
        "UV_CONSTRAINT": str(constraints),
    }
    own = load_script().uv_settings({"index-url": "https://mirror.example.org/simple"})
    assert own == {"UV_DEFAULT_INDEX": "https://mirror.example.org/simple"}
    assert load_script().uv_settings({}) == {}


def test_pip_precedence_holds_and_uv_variables_win(tmp_path: Path) -> None:
    (tmp_path / "global").mkdir()
    (tmp_path / "install").mkdir()
    (tmp_path / "env").mkdir()
    conf = (
        f"[global]\nfind-links = {tmp_path / 'global'}\nextra-index-url = https://a.example/simple\n"
        f"[install]\nfind-links = {tmp_path / 'install'}\n"
    )
    # pip: the [install] section over [global], a PIP_* variable over both.
    assert exports(script_env(tmp_path, conf), tmp_path)["UV_FIND_LINKS"] == str(
        tmp_path / "install"
    )
    env = script_env(tmp_path, conf, PIP_FIND_LINKS=str(tmp_path / "env"))
    assert exports(env, tmp_path)["UV_FIND_LINKS"] == str(tmp_path / "env")
    # A UV_* variable someone set is theirs: it is not overwritten.
    env = script_env(tmp_path, conf, UV_INDEX="https://b.example/simple")
    exported = exports(env, tmp_path)
    assert "UV_INDEX" not in exported
    assert exported["UV_INDEX_STRATEGY"] == "unsafe-best-match"


def test_missing_folders_and_indexes_do_not_stop_uv(tmp_path: Path) -> None:
    empty_index = tmp_path / "simple"
    empty_index.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "probe"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["six"]\n',
        encoding="utf-8",
    )
    conf = (
        "[global]\nfind-links = /no/such/folder\n"
        f"extra-index-url = file://{empty_index} file:///no/such/simple\n"
    )
    env = script_env(tmp_path, conf)
    env.update(exports(env, tmp_path))
    assert env["UV_INDEX"].startswith("https://pypi.org/simple file://")
    assert "UV_FIND_LINKS" not in env
    subprocess.run([UV, "lock", "--quiet"], cwd=project, env=env, check=True, timeout=300)
    lock = (project / "uv.lock").read_text(encoding="utf-8")
    assert 'source = { registry = "https://pypi.org/simple" }' in lock
    assert "file://" not in lock
