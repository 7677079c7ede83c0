"""Safety content: the cards say what issue 12 asks; pressure labels agree with the scale."""

from __future__ import annotations

import pytest

from bot.catalog.entries import Catalog
from bot.catalog.loader import load_catalog

ORDER = ("none", "light", "medium", "firm")
# The most pressure each zone takes, as tip.pressure-scale and tip.control-pressure say.
ZONE_CAP = {
    "neck": "light",
    "upper": "medium",
    "shoulders": "medium",
    "mid": "firm",
    "lower": "firm",
    "sides": "firm",
}
ZONE_NAMES = {"neck": "neck", "upper": "upper back", "shoulders": "shoulder"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def text_of(catalog: Catalog, entry_id: str) -> str:
    entry = catalog.get(entry_id)
    assert entry is not None, entry_id
    return " ".join((entry.title, entry.summary, entry.body, *entry.cautions)).lower()


def test_red_flags_name_the_cauda_equina_signs_and_the_emergency_number(
    catalog: Catalog,
) -> None:
    text = text_of(catalog, "safety.red-flags")
    for words in (
        "genitals",
        "buttocks",
        "inner thighs",
        "peeing",
        "bowel",
        "both legs",
        "chest pain",
        "cancer",
        "call your emergency number now",
        "999",
        "112",
        "911",
    ):
        assert words in text, words


def test_medical_conditions_say_what_to_do_for_each(catalog: Catalog) -> None:
    text = text_of(catalog, "safety.medical-conditions") + text_of(catalog, "safety.blood-clots")
    text += text_of(catalog, "safety.unwell-or-drunk")
    for words in (
        "blood clot",
        "blood thinners",
        "warfarin",
        "surgery",
        "fracture",
        "osteoporosis",
        "cancer",
        "heart",
        "blood pressure",
        "fever",
        "infection",
        "varicose veins",
        "drunk",
        "frail",
        "ask their doctor first",
        "don't massage",
        "never massage over it",
    ):
        assert words in text, words


def test_skin_card_names_every_condition(catalog: Catalog) -> None:
    text = text_of(catalog, "safety.skin-contraindications")
    for words in (
        "moles",
        "new tattoo",
        "psoriasis",
        "sunburn",
        "burns",
        "cold sores",
        "shingles",
        "ringworm",
        "scabies",
        "scar",
        "your own hands",
    ):
        assert words in text, words


def test_pregnancy_card_gives_the_position(catalog: Catalog) -> None:
    text = text_of(catalog, "safety.pregnancy")
    assert "on her side" in text and "not face down" in text and "midwife" in text


def test_lumps_card_separates_a_lump_from_a_knot(catalog: Catalog) -> None:
    text = text_of(catalog, "safety.lumps-and-swelling")
    assert "knot" in text and "doctor" in text and "don't press" in text


def test_pressure_scale_defines_each_label(catalog: Catalog) -> None:
    text = text_of(catalog, "tip.pressure-scale")
    for words in ("light (1–3)", "medium (4–6)", "firm (about 7)", "number out of 10"):
        assert words in text, words


def test_technique_labels_agree_with_the_scale(catalog: Catalog) -> None:
    """A label above a zone's cap is allowed only with a caution that names that zone."""
    for entry in catalog.of_kind("technique"):
        level = ORDER.index(entry.pressure)
        cautions = " ".join(entry.cautions).lower()
        for zone in entry.zones:
            if level > ORDER.index(ZONE_CAP[zone]):
                assert ZONE_NAMES[zone] in cautions, (entry.id, zone)


def test_a_routine_is_labelled_with_its_firmest_step(catalog: Catalog) -> None:
    for routine in catalog.of_kind("routine"):
        steps = [catalog.entries[step.technique].pressure for step in routine.steps]
        assert routine.pressure == max(steps, key=ORDER.index), routine.id
    quick = text_of(catalog, "routine.quick-relax")
    assert "no deep pressure" not in quick and "beyond medium" in quick


@pytest.mark.parametrize(
    ("entry_id", "words"),
    [
        ("technique.forearm-effleurage", ("kidney", "untrained: keep it medium")),
        ("technique.palm-pressure-lower-back", ("kidney",)),
        ("technique.trapezius-kneading", ("front or sides of the neck",)),
        ("technique.two-hand-petrissage", ("front of the neck",)),
    ],
)
def test_techniques_carry_their_own_cautions(
    catalog: Catalog, entry_id: str, words: tuple[str, ...]
) -> None:
    entry = catalog.entries[entry_id]
    cautions = " ".join(entry.cautions).lower()
    for word in words:
        assert word in cautions, word
