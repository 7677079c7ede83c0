"""Technique pictures: every technique has one, it follows its data, bad data is refused."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image

from bot.__main__ import main
from bot.catalog.entries import Entry
from bot.catalog.files import ContentError
from bot.catalog.loader import load_catalog
from bot.pictures import book as book_module
from bot.pictures.book import PictureBook, build_book, picture_digest
from bot.pictures.canvas import CX, INK, MOVE, PER_DOWN, SHOULDER_Y
from bot.pictures.spec import PictureError, parse_picture


@pytest.fixture(scope="module")
def book() -> PictureBook:
    return build_book(load_catalog())


def test_every_technique_has_a_wide_png_picture(book: PictureBook) -> None:
    techniques = load_catalog().of_kind("technique")
    assert techniques
    for entry in techniques:
        picture = book.get(entry.id)
        assert picture is not None, entry.id
        image = Image.open(io.BytesIO(picture.png))
        assert image.format == "PNG"
        assert image.width >= 800, entry.id
    assert {picture.entry_id for picture in book} == {entry.id for entry in techniques}


def _is_mark(pixel: tuple[int, int, int]) -> bool:
    """The movement colour, or the dark ink of a number badge."""
    return any(
        all(abs(channel - want) < 40 for channel, want in zip(pixel, colour, strict=True))
        for colour in (MOVE, INK)
    )


def test_the_spine_stays_clear_of_marks(book: PictureBook) -> None:
    for picture in book:
        image = Image.open(io.BytesIO(picture.png)).convert("RGB")
        top, bottom = SHOULDER_Y - 30, SHOULDER_Y + 10 * PER_DOWN  # below the head
        marked = [
            (x, y)
            for y in range(top, bottom, 2)
            for x in range(CX - 8, CX + 9, 2)
            if _is_mark(image.getpixel((x, y)))  # type: ignore[arg-type]
        ]
        assert not marked, f"{picture.entry_id}: movement drawn on the spine at {marked[:3]}"


def test_picture_follows_its_data() -> None:
    entry = load_catalog().entries["technique.thumb-strips"]
    assert entry.picture is not None
    moved = dataclasses.replace(
        entry.picture,
        marks=(dataclasses.replace(entry.picture.marks[0], points=((3.0, 9.0), (3.0, 4.0))),),
    )
    changed = dataclasses.replace(entry, picture=moved)
    retitled = dataclasses.replace(entry, title="Thumb strips, slowly")
    same = dataclasses.replace(entry)
    digests = {picture_digest(e) for e in (entry, changed, retitled)}
    assert len(digests) == 3
    assert picture_digest(same) == picture_digest(entry)
    pngs = build_book([entry, changed.__class__(**{**changed.__dict__, "id": "x"})])
    original, edited = pngs.get(entry.id), pngs.get("x")
    assert original is not None and edited is not None
    assert original.png != edited.png
    assert original.digest != edited.digest


def test_cache_folder_renders_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = load_catalog().entries["technique.thumb-strips"]
    first = build_book([entry], cache=tmp_path)
    picture = first.get(entry.id)
    assert picture is not None
    assert (tmp_path / f"{picture.digest}.png").read_bytes() == picture.png

    def no_drawing(*_: object) -> bytes:
        raise AssertionError("rendered again although the cache holds the picture")

    monkeypatch.setattr(book_module, "draw_picture", no_drawing)
    again = build_book([entry], cache=tmp_path)
    assert again.get(entry.id) == picture


def test_cli_writes_one_png_per_technique(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pictures", "--out", str(tmp_path / "out")]) == 0
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    expected = sorted(f"{e.id}.png" for e in load_catalog().of_kind("technique"))
    assert written == expected
    assert "written" in capsys.readouterr().out


# ----- the loader refuses bad picture data, naming the file and the entry -------------------

GOOD: dict[str, Any] = {
    "stand": "side",
    "tool": "thumb",
    "shade": ["lower"],
    "marks": [{"glide": [[3, 9], [3, 6]], "sides": "both"}],
}


def _technique(picture: object) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "technique.t",
        "kind": "technique",
        "title": "T",
        "summary": "S.",
        "body": "1. Do.",
        "aliases": ["t"],
    }
    if picture is not None:
        entry["picture"] = picture
    return entry


def _load(folder: Path, entry: dict[str, Any]) -> None:
    (folder / "moves.yaml").write_text(
        yaml.safe_dump({"section": "Moves", "entries": [entry]}), encoding="utf-8"
    )
    load_catalog(folder)


def test_good_picture_loads(tmp_path: Path) -> None:
    _load(tmp_path, _technique(GOOD))


@pytest.mark.parametrize(
    ("picture", "needle"),
    [
        (None, "a technique needs a picture"),
        ({**GOOD, "tool": "elbow"}, "tool must be one of"),
        ({**GOOD, "stand": "on the table"}, "stand must be one of"),
        ({**GOOD, "marks": []}, "marks: needs at least one"),
        ({**GOOD, "shade": ["knees"]}, "unknown zone 'knees'"),
        ({**GOOD, "colour": "red"}, "unknown field(s) colour"),
        ({**GOOD, "marks": [{"glide": [[-5, 5], [5, 5]]}]}, "runs over the spine"),
        ({**GOOD, "marks": [{"holds": [[0.5, 5]]}]}, "too close to the spine"),
        ({**GOOD, "marks": [{"circles": [[2, 5]]}]}, "too close to the spine"),
        ({**GOOD, "marks": [{"glide": [[3, 9]]}]}, "at least two points"),
        ({**GOOD, "marks": [{"glide": [[3, 9], [30, 9]]}]}, "off the back"),
        ({**GOOD, "marks": [{"glide": [[3, 9], "up"]}]}, "a point is [across, down]"),
        ({**GOOD, "marks": [{"glide": [[3, 9], [3, 5]], "repeat": 1}]}, "repeat must be"),
        ({**GOOD, "marks": [{"glide": [[3, 9], [3, 5]], "speed": 2}]}, "unknown option"),
        ("a palm", "expected a mapping"),
    ],
)
def test_bad_picture_is_refused_naming_file_and_entry(
    tmp_path: Path, picture: object, needle: str
) -> None:
    with pytest.raises(ContentError) as caught:
        _load(tmp_path, _technique(picture))
    problems = caught.value.problems
    assert any(needle in problem for problem in problems), problems
    assert all(p.startswith("content/moves.yaml entry technique.t: ") for p in problems), problems


def test_only_techniques_carry_pictures(tmp_path: Path) -> None:
    tip = {**_technique(GOOD), "id": "tip.t", "kind": "tip"}
    with pytest.raises(ContentError, match=r"tip\.t: only techniques carry a picture"):
        _load(tmp_path, tip)


def test_parse_picture_keeps_every_field() -> None:
    spec = parse_picture(
        {
            "stand": "head-or-side",
            "tool": "palm",
            "reinforced": True,
            "shade": ["upper-right"],
            "marks": [{"circles": [[6.5, 2]], "size": "large", "sides": "then", "repeat": 3}],
        }
    )
    assert spec.reinforced and spec.shade[0].half == "right"
    assert spec.marks[0].size == "large" and spec.marks[0].repeat == 3
    with pytest.raises(PictureError):
        parse_picture({**GOOD, "marks": [{"glide": [[3, 9], [3, 6]], "holds": [[3, 9]]}]})


def test_entry_type_carries_the_spec() -> None:
    assert "picture" in {field.name for field in dataclasses.fields(Entry)}
