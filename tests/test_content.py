"""Content: the shipped catalog is complete and valid; each validation rule rejects a fixture."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.catalog.files import CONTENT_DIR, ContentError
from bot.catalog.loader import load_catalog

CATALOG_DOC = Path(__file__).resolve().parents[2] / "shared" / "content-catalog.md"


def catalog_ids() -> list[str]:
    return re.findall(
        r"^\| ([a-z]+\.[a-z0-9-]+) \|", CATALOG_DOC.read_text(encoding="utf-8"), re.M
    )


@pytest.mark.skipif(not CATALOG_DOC.exists(), reason="shared/ catalog not beside the repo")
def test_every_catalog_id_exists() -> None:
    catalog = load_catalog()
    expected = catalog_ids()
    assert len(expected) >= 46
    missing = [entry_id for entry_id in expected if entry_id not in catalog]
    assert missing == []


def test_shipped_content_is_valid_and_routines_match_the_source() -> None:
    catalog = load_catalog()
    upper = catalog.get("routine.upper-back")
    lower = catalog.get("routine.lower-back")
    assert upper is not None and lower is not None
    assert 15 * 60 <= upper.total_seconds <= 20 * 60
    assert 10 * 60 <= lower.total_seconds <= 20 * 60
    assert upper.steps[0].technique == "technique.oil-application"
    assert lower.steps[0].technique == "technique.oil-application"
    for entry in catalog:
        assert entry.aliases, entry.id
        if entry.kind == "technique":
            assert entry.zones and entry.pressure, entry.id


def test_source_errors_are_corrected() -> None:
    text = "\n".join(
        path.read_text(encoding="utf-8").lower() for path in sorted(CONTENT_DIR.glob("*.yaml"))
    )
    assert "trapezium" not in text
    assert "spinal cord" not in text
    assert "patrissage" not in re.sub(r"aliases:.*?\n(?=\s+\w+:)", "", text, flags=re.S)


def _entry(entry_id: str = "technique.a", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": entry_id,
        "kind": "technique",
        "title": "A stroke",
        "summary": "A short summary.",
        "body": "1. Do this.\n2. Then that.",
        "aliases": ["a stroke"],
        "zones": ["upper"],
        "pressure": "light",
        "picture": {
            "stand": "side",
            "tool": "palm",
            "shade": ["upper"],
            "marks": [{"glide": [[3, 1], [3, 3]]}],
        },
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def _routine(**fields: Any) -> dict[str, Any]:
    routine: dict[str, Any] = {
        "id": "routine.r",
        "kind": "routine",
        "title": "A routine",
        "summary": "Short.",
        "body": "Overview.",
        "aliases": ["routine"],
        "length_minutes": [1, 2],
        "steps": [{"technique": "technique.a", "seconds": 60}],
    }
    routine.update(fields)
    return routine


def _write(folder: Path, name: str, entries: list[dict[str, Any]]) -> None:
    (folder / name).write_text(
        yaml.safe_dump({"section": name, "entries": entries}, sort_keys=False), encoding="utf-8"
    )


def test_minimal_fixture_is_valid(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", [_entry(), _routine()])
    catalog = load_catalog(tmp_path)
    assert [entry.id for entry in catalog] == ["technique.a", "routine.r"]


@pytest.mark.parametrize(
    ("entries", "needle"),
    [
        ([_entry(colour="blue")], "technique.a: unknown field(s) colour"),
        ([_entry(summary=None)], "technique.a: missing or empty field(s) summary"),
        ([_entry(body="   ")], "technique.a: missing or empty field(s) body"),
        ([_entry(), _entry()], "technique.a: duplicate id"),
        (
            [_entry(), _routine(steps=[{"technique": "technique.zzz", "seconds": 60}])],
            "routine.r step 1: no technique with id 'technique.zzz'",
        ),
        ([_entry(body="x" * 5000)], "rendered card is"),
        ([_entry(kind="recipe")], "kind must be one of"),
        ([_entry(zones=["knee"])], "unknown zone(s) knee"),
        ([_entry(), _routine(steps=[{"technique": "technique.a", "seconds": 5}])], "seconds"),
        ([_entry(), _routine(length_minutes=[5, 6])], "outside length_minutes"),
        ([_entry(related=["tip.nope"])], "related entry tip.nope does not exist"),
    ],
)
def test_each_rule_rejects_its_fixture(
    tmp_path: Path, entries: list[dict[str, Any]], needle: str
) -> None:
    _write(tmp_path, "broken.yaml", entries)
    with pytest.raises(ContentError) as caught:
        load_catalog(tmp_path)
    assert any(needle in problem for problem in caught.value.problems), caught.value.problems
    assert all(problem.startswith("content/broken.yaml") for problem in caught.value.problems)


def test_duplicate_id_across_files_names_both(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", [_entry()])
    _write(tmp_path, "b.yaml", [_entry()])
    with pytest.raises(ContentError, match=r"content/b.yaml entry technique.a: duplicate id"):
        load_catalog(tmp_path)


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("entries: [\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"content/bad\.yaml: cannot be read as YAML"):
        load_catalog(tmp_path)
