from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.core.errors import ProjectError
from {{ cookiecutter.package_name }}.core.files import read_json, write_json, write_text, write_with


def test_write_json_is_sorted_and_complete(tmp_path: Path) -> None:
    target = write_json({"b": 1, "a": [1, 2]}, tmp_path / "out" / "data.json")
    assert target.read_text(encoding="utf-8").startswith('{\n  "a"')


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = write_text("old", tmp_path / "model.bin")

    def crash(path: Path) -> None:
        path.write_text("half-writ", encoding="utf-8")
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError, match="killed mid-write"):
        write_with(target, crash)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.bin"]


def test_read_json_names_the_file_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"metrics '.*absent\.json' not found: run it"):
        read_json(tmp_path / "absent.json", "metrics", "run it")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(
        ProjectError, match=r"metrics '.*broken\.json' could not be read \(.*\): run it"
    ):
        read_json(broken, "metrics", "run it")
