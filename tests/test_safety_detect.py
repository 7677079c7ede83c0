"""Warning signs and conditions in lay words: what must be caught, and what must not be."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog.files import ContentError
from bot.catalog.loader import load_catalog
from bot.safety import SIGNS_FILE, SafetyDetector, build_detector, load_signs


@pytest.fixture(scope="module")
def detector() -> SafetyDetector:
    return build_detector(load_catalog())


def lead(detector: SafetyDetector, text: str) -> str | None:
    matches = detector.detect(text)
    return matches[0].entry if matches else None


RED = "safety.red-flags"
CLOTS = "safety.blood-clots"
CONDITIONS = "safety.medical-conditions"
UNWELL = "safety.unwell-or-drunk"
LUMPS = "safety.lumps-and-swelling"
PREGNANCY = "safety.pregnancy"
SKIN = "safety.skin-contraindications"
PRO = "safety.see-a-professional"


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        # cauda equina, bladder and bowel
        ("numbness around his groin and his back hurts", RED),
        ("her inner thighs feel numb", RED),
        ("tingling in my buttocks and lower back pain", RED),
        ("can't feel anything down there", RED),
        ("trouble peeing and back pain", RED),
        ("he can't pee since his back went", RED),
        ("she wet herself and her back is killing her", RED),
        ("lost control of his bowels", RED),
        ("bladder problems with back ache", RED),
        # legs
        ("pins and needles in her toes", RED),
        ("I can't feel my foot", RED),
        ("pain shot down my leg and I couldn't feel my foot", RED),
        ("she says her leg is going numb", RED),
        ("his leg keeps giving way", RED),
        ("weakness in both legs", RED),
        ("my legs feel weak and wobbly", RED),
        ("tinglng in legs", RED),
        # misspelt
        ("she has osteoperosis", "safety.medical-conditions"),
        ("he takes warfrin", "safety.blood-clots"),
        ("siatica down my leg", "safety.see-a-professional"),
        ("varicos veins", "safety.blood-clots"),
        ("he is struggling to walk", RED),
        # chest, accidents
        ("sharp pain between the shoulder blades and chest", RED),
        ("back pain and he gets short of breath", RED),
        ("he came off his bike yesterday and his back hurts", RED),
        ("she fell down the stairs", RED),
        ("whiplash from a car crash", RED),
        ("she slipped on ice and landed on her back", RED),
        # urgent
        ("she has a fever and back pain", RED),
        ("he's lost a lot of weight without trying and his back aches", RED),
        ("excruciating pain in his lower back", RED),
        ("the pain is worse at night", RED),
        # clots and thinners
        ("blood clot in his leg", CLOTS),
        ("she had a DVT last year", CLOTS),
        ("he's on warfarin, can I massage his back", CLOTS),
        ("takes blood thinners", CLOTS),
        ("she bruises really easily", CLOTS),
        ("varicose veins on her legs", CLOTS),
        ("his calf is swollen and warm", CLOTS),
        # conditions
        ("back surgery last month", CONDITIONS),
        ("she had an operation on her shoulder", CONDITIONS),
        ("he has a fractured rib", CONDITIONS),
        ("my mum has osteoporosis", CONDITIONS),
        ("she is having chemo", CONDITIONS),
        ("my dad has cancer, can I rub his back", CONDITIONS),
        ("he has a heart condition", CONDITIONS),
        ("her blood pressure is really high", CONDITIONS),
        ("he has a pacemaker", CONDITIONS),
        ("my grandmother is 92 and very frail", CONDITIONS),
        ("he has been on steroids for years", CONDITIONS),
        ("he had a stroke last year", CONDITIONS),
        # pregnancy
        ("can I massage my pregnant wife", PREGNANCY),
        ("she is 20 weeks pregnant", PREGNANCY),
        ("my wife is expecting, is back massage ok", PREGNANCY),
        ("pregant wife back rub", PREGNANCY),
        ("third trimester back pain", PREGNANCY),
        # lumps
        ("she has a lump on her back, can I massage it", LUMPS),
        ("bump on his spine", LUMPS),
        ("there's a swelling near her shoulder blade", LUMPS),
        ("a cyst on his back", LUMPS),
        # professional
        ("slipped disc", PRO),
        ("he has sciatica", PRO),
        ("trapped nerve in her neck", PRO),
        ("pins and needles in her hands and neck pain", PRO),
        # skin
        ("he has shingles", SKIN),
        ("can I massage someone with shingles", SKIN),
        ("is shingles contagious", SKIN),
        ("she has a cold sore", SKIN),
        ("ringworm on his back", SKIN),
        ("he got a new tattoo on his shoulder", SKIN),
        ("she has psoriasis", SKIN),
        ("he has sunburn", SKIN),
        ("I have a cut on my finger", SKIN),
        ("a mole on her back", SKIN),
        ("scabies", SKIN),
        # unwell, alcohol
        ("she has a cold", UNWELL),
        ("he's got the flu", UNWELL),
        ("he's drunk, can I give him a massage", UNWELL),
        ("she is feeling sick", UNWELL),
        ("she has a fever", UNWELL),
    ],
)
def test_signs_in_lay_words_lead_with_their_entry(
    detector: SafetyDetector, text: str, entry: str
) -> None:
    assert lead(detector, text) == entry


@pytest.mark.parametrize(
    "text",
    [
        "I have weak hands, can I still give a good back rub?",
        "my hands get tired and weak",
        "how do I do the shingles stroke",
        "shingles effleurage",
        "what is the shingles technique",
        "knot under the shoulder blade",
        "there's a tight lump in the muscle under her shoulder",
        "she fell asleep during the massage",
        "will a massage help her fall asleep",
        "a wee bit lower",
        "should we talk during it",
        "what should I expect",
        "what is she expecting from a massage",
        "my hands are cold",
        "use a cold towel afterwards",
        "how hard should I press",
        "how much pressure on the lower back",
        "can I put pressure on the spine",
        "the towel keeps falling off",
        "my hands slip on the oil",
        "her shoulders are tight",
        "what oil should I use",
        "how long should a massage last",
        "is coconut oil ok for massage",
        "how do I warm up the oil",
        "room temperature for a massage",
        "should we take a break halfway",
        "how do I break up knots",
        "she likes a back scratch",
        "is it ok to slip on a robe after",
        "the massage video went viral",
        "she isn't pregnant",
        "no numbness or tingling, just a stiff back",
        "he has never had surgery",
        "can I massage my girlfriend after the gym",
        "what is the number of strokes per side",
        "rub my wife's back after a long day",
        "my back is a bit stiff after sleeping",
        "tight chest muscles from bench press",
        "what is effleurage",
        "how to massage the trapezius",
        "give her a massage with candles and wine",
        "I can't stand the smell of lavender",
        "does massage help with sleep",
    ],
)
def test_everyday_questions_raise_no_alarm(detector: SafetyDetector, text: str) -> None:
    assert detector.detect(text) == [], text


def test_the_most_urgent_sign_leads(detector: SafetyDetector) -> None:
    matches = detector.detect("she is pregnant and has numbness around the groin")
    assert matches[0].level == "emergency" and matches[0].entry == RED
    assert "pregnancy" in [match.sign for match in matches]
    assert detector.entries("she is pregnant and has numbness around the groin")[0] == RED


def test_a_negation_in_another_clause_does_not_cancel_a_sign(detector: SafetyDetector) -> None:
    assert lead(detector, "she doesn't have a fever, but her legs are numb") == RED


def test_doubt_is_not_a_denial(detector: SafetyDetector) -> None:
    assert lead(detector, "not sure if she's pregnant") == PREGNANCY


def test_a_long_message_is_read_without_error(detector: SafetyDetector) -> None:
    assert lead(detector, "blah " * 2000 + "blood clot") is None  # beyond the reading limit
    assert lead(detector, "blood clot " + "blah " * 2000) == CLOTS


def test_every_named_entry_must_exist(tmp_path: Path) -> None:
    text = SIGNS_FILE.read_text(encoding="utf-8").replace(
        "entries: [safety.pregnancy]", "entries: [safety.nothing]"
    )
    path = tmp_path / "signs.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match=r"safety\.nothing"):
        load_signs(path, load_catalog())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("level: caution", "level: later"), "level must be one of"),
        (("'@numbonly + @legs'", "'@nothing + @legs'"), "@nothing"),
        (("negations: ['no',", "negations: [no,"), "quote yes, no"),
        (("'cancer', 'tumor'", "'cancer', 'tumor .. '"), "must start and end with a word"),
        (("    level: emergency\n", "    level: emergency\n    level: urgent\n"), "given twice"),
    ],
)
def test_a_broken_vocabulary_is_refused_at_start_up(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    original = SIGNS_FILE.read_text(encoding="utf-8")
    assert old in original
    path = tmp_path / "signs.yaml"
    path.write_text(original.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError, match=message):
        load_signs(path)
