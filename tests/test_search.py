"""The question matcher's core: normalising, typos, concepts, calibration, safety, intents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.ask.service import Asker, build_asker
from bot.callbacks import OpenEntry
from bot.catalog.files import ContentError
from bot.intents import recognise
from bot.search.lexical import Searcher, build_searcher
from bot.search.normalize import MAX_QUESTION_CHARS, is_latin, normalize, stem, words
from bot.search.vocabulary import SEARCH_DIR, load_search_data
from tests.support.app import shipped_catalog

QUESTIONS = Path(__file__).resolve().parent / "data" / "questions.jsonl"


@pytest.fixture(scope="module")
def searcher() -> Searcher:
    return build_searcher(shipped_catalog())


@pytest.fixture(scope="module")
def asker(searcher: Searcher) -> Asker:
    return build_asker(shipped_catalog(), searcher)


def ids(asker: Asker, question: str) -> list[str]:
    results = asker.as_json(question)["results"]
    assert isinstance(results, list)
    return [result["id"] for result in results]


def test_normalize_folds_case_accents_punctuation_and_emoji() -> None:
    assert normalize("  PÉTRISSAGE?!  🧴 don’t ") == "petrissage dont"
    assert normalize("ｅｆｆｌｅｕｒａｇｅ") == "effleurage"  # full-width forms
    assert normalize("🙂🙂") == ""
    assert len(normalize("oil " * 5000)) <= MAX_QUESTION_CHARS


def test_stemmer_meets_word_forms() -> None:
    assert stem("knots") == stem("knot")
    assert stem("pressing") == stem("press") == stem("pressed")
    assert stem("kneading") == stem("knead")
    assert stem("rubbing") == stem("rub")
    assert stem("shoulders") == stem("shoulder")
    assert words("Numbness") == [stem("numb")]


def test_other_scripts_are_not_latin() -> None:
    assert not is_latin(normalize("как сделать массаж спины"))
    assert is_latin(normalize("what oil"))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how do I ease shoulder tension", "technique.trapezius-kneading"),
        ("knot between my shoulder blades", "technique.sustained-thumb-pressure"),
        ("what oil", "product.oil"),
        ("how hard should I press", "tip.pressure-without-training"),
        ("lower back rub", "technique.lower-back-circular-friction"),
        ("efleurage", "technique.whole-hand-effleurage"),
        ("how long should it take", "faq.session-length"),
    ],
)
def test_the_issue_examples_land_on_the_right_entry(
    asker: Asker, question: str, expected: str
) -> None:
    assert expected in ids(asker, question)[:3]


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("effluerage", "technique.whole-hand-effleurage"),  # two letters swapped
        ("petrisage", "technique.two-hand-petrissage"),  # one letter missing
        ("trapezious", "technique.trapezius-kneading"),  # two wrong letters
        ("how much presure", "tip.pressure-without-training"),  # body word
        ("wich oil", "product.oil"),  # misspelt stop word
        ("lower bak hurts", "technique.lower-back-circular-friction"),  # "bak" is also "bake"
    ],
)
def test_one_or_two_wrong_letters_still_match(asker: Asker, typo: str, expected: str) -> None:
    assert ids(asker, typo)[0] == expected


@pytest.mark.parametrize(
    "question",
    [
        "how do I bake bread",
        "massage chair prices",
        "how to massage a cat",
        "asdfgh qwerty",
        "can you sing",  # not corrected to "sign" (the warning signs)
        "recommend a good film",  # not corrected to "firm"
    ],
)
def test_off_topic_is_not_answered(asker: Asker, question: str) -> None:
    line = asker.as_json(question)
    assert line["results"] == []
    assert line["verdict"] == "unknown"


def test_unknown_offers_browse_and_three_nearest(asker: Asker) -> None:
    answer = asker.ask("how do I bake bread")
    (reply,) = answer.replies
    assert "/techniques" in reply.text
    assert len(reply.buttons) == 3
    assert all(isinstance(row[0].press, OpenEntry) for row in reply.buttons)


def test_clear_winner_is_answered_with_its_card(asker: Asker) -> None:
    answer = asker.ask("what oil should I use")
    assert answer.result is not None and answer.result.verdict == "answer"
    (card,) = answer.replies
    assert card.text.startswith("<b>Massage oil or lotion</b>")


def test_close_candidates_come_back_as_did_you_mean(asker: Asker) -> None:
    answer = asker.ask("thumbs")
    assert answer.verdict == "choose"
    (reply,) = answer.replies
    assert "Did you mean" in reply.text
    assert 2 <= len(reply.buttons) <= 3


@pytest.mark.parametrize(
    ("question", "sign"),
    [
        ("my legs feel numb", "numbness"),
        ("tingling in his legs", "numbness"),
        ("weakness in her legs", "weakness"),
        ("back pain after a fall", "fall or accident"),
        ("she has a fever", "fever"),
        ("lost control of his bladder", "bladder or bowel"),
        ("can I massage my pregnant wife", "pregnancy"),
        ("pregant wife", "pregnancy"),
        ("severe back pain", "severe or worsening pain"),
        ("the pain is getting worse", "severe or worsening pain"),
    ],
)
def test_warning_signs_come_first(asker: Asker, question: str, sign: str) -> None:
    line = asker.as_json(question)
    assert sign in line["warnings"]  # type: ignore[operator]
    assert ids(asker, question)[0].startswith("safety.")  # bot/safety picks which card
    assert "doctor" in asker.ask(question).replies[0].text.lower()


def test_warning_then_the_normal_answer_when_one_fits(asker: Asker) -> None:
    answer = asker.ask("she is pregnant, what oil should I use")
    assert answer.replies[0].text.startswith("🛟")
    assert any("Massage oil or lotion" in reply.text for reply in answer.replies[1:])


def test_falling_asleep_is_not_a_fall(asker: Asker) -> None:
    assert "warnings" not in asker.as_json("will a massage help her fall asleep")


@pytest.mark.parametrize(
    "text",
    ["start a 10 minute lower back session", "remind me every day at 9pm", "stop", "next"],
)
def test_requests_are_pointed_to_their_feature_not_answered(asker: Asker, text: str) -> None:
    answer = asker.ask(text)
    assert answer.intent == recognise(text) is not None and answer.results == ()
    assert "/session" in answer.replies[0].text or "/remind" in answer.replies[0].text


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "?!"])
def test_empty_questions_get_a_hint(asker: Asker, text: str) -> None:
    (reply,) = asker.ask(text).replies
    assert "in words" in reply.text


def test_other_languages_get_a_friendly_answer(asker: Asker) -> None:
    (reply,) = asker.ask("как сделать массаж спины").replies
    assert "English" in reply.text


def test_a_long_message_is_answered_from_its_beginning(asker: Asker) -> None:
    text = "what oil should I use " + "blah " * 1200
    assert len(text) > 5000
    assert ids(asker, text)[0] == "product.oil"


def test_concept_layer_names_only_existing_entries(tmp_path: Path) -> None:
    for name in ("words.yaml", "warnings.yaml"):
        (tmp_path / name).write_text((SEARCH_DIR / name).read_text())
    (tmp_path / "concepts.yaml").write_text(
        "concepts:\n  - when: [oil]\n    means: [oil]\n    entries: [product.nothing]\n"
    )
    with pytest.raises(ContentError, match=r"product\.nothing"):
        load_search_data(tmp_path, shipped_catalog())


def assert_above_the_floor(asker: Asker, path: Path, minimum: int) -> None:
    """Top-1 >= 93 %, top-3 >= 97 %, off-topic rejected >= 95 %, every warning sign first."""
    items = [json.loads(line) for line in path.read_text().splitlines() if line]
    assert len(items) >= minimum
    answerable = top1 = top3 = offtopic = rejected = 0
    for item in items:
        found = ids(asker, item["query"])
        if item["kind"] == "offtopic":
            offtopic += 1
            rejected += not found
        elif item["kind"] == "warning":
            assert found[:1] and found[0].startswith("safety."), item["query"]
        elif item["kind"] != "intent":
            answerable += 1
            top1 += bool(found) and found[0] in item["expect"]
            top3 += bool(set(found[:3]) & set(item["expect"]))
    assert top1 / answerable >= 0.93
    assert top3 / answerable >= 0.97
    assert rejected / offtopic >= 0.95


def test_accuracy_on_the_labelled_set_stays_above_the_floor(asker: Asker) -> None:
    """A content or concept edit that breaks matching fails here (bench/search.py has more)."""
    assert_above_the_floor(asker, QUESTIONS, minimum=150)


HELDOUT = QUESTIONS.with_name("questions-heldout.jsonl")


def test_accuracy_on_the_first_held_out_set_stays_above_the_floor(asker: Asker) -> None:
    """Questions written after tuning (then used to find causes of misses, see BENCHMARKS.md).

    The floor sits below the measured figures so that a data edit which quietly breaks
    everyday phrasings ("lower back is achy", "towels", "how fast should I go") fails here.
    """
    assert_above_the_floor(asker, HELDOUT, minimum=120)


@pytest.mark.parametrize("question", ["back massage", "massage", "back rub"])
def test_a_general_question_offers_starting_points(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.verdict == "choose"
    assert ids(asker, question)[0] == "faq.which-routine"


def test_a_one_word_question_offers_its_nearest_entries(asker: Asker) -> None:
    answer = asker.ask("presure")
    assert answer.verdict == "choose"
    assert "Did you mean" in answer.replies[0].text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("traps are killing her", "technique.trapezius-kneading"),  # @upper + @sore
        ("bottom of back sore", "technique.lower-back-circular-friction"),  # no "the"
        ("what do i need", "prep.materials-ready"),  # only stop words, but a known phrase
        ("oyl", "product.oil"),  # three letters, one wrong
        ("how fast should i go", "tip.control-pressure"),  # the phrase is the question
    ],
)
def test_everyday_phrasings_find_the_entry(asker: Asker, question: str, expected: str) -> None:
    assert ids(asker, question)[0] == expected


def test_a_phrase_can_make_an_off_topic_word_ours(asker: Asker) -> None:
    assert ids(asker, "shoulders hurt from the computer")[0] == "technique.trapezius-kneading"
    assert ids(asker, "fix my computer") == []


def test_a_long_massage_is_not_how_long_to_massage(searcher: Searcher) -> None:
    assert searcher.search("a long massage of the entire back").hits[0].entry_id != (
        "faq.session-length"
    )


def test_word_groups_must_exist(tmp_path: Path) -> None:
    for name in ("words.yaml", "warnings.yaml"):
        (tmp_path / name).write_text((SEARCH_DIR / name).read_text())
    (tmp_path / "concepts.yaml").write_text(
        "concepts:\n  - when: ['@nothing + oil']\n    means: [oil]\n"
    )
    with pytest.raises(ContentError, match="@nothing"):
        load_search_data(tmp_path, shipped_catalog())


@pytest.mark.parametrize(
    "question",
    ["pins n needles in her toes", "he came off his bike", "his leg keeps giving way"],
)
def test_everyday_words_for_warning_signs(asker: Asker, question: str) -> None:
    assert ids(asker, question)[0] == "safety.red-flags"


@pytest.mark.parametrize(
    "question", ["should we talk during it", "what should i expect", "a wee bit lower"]
)
def test_ordinary_words_are_not_warning_signs(asker: Asker, question: str) -> None:
    assert "warnings" not in asker.as_json(question)


def test_yaml_booleans_are_refused(tmp_path: Path) -> None:
    """A bare on/off/yes/no in YAML is read as true/false, and the word would be lost."""
    for name in ("concepts.yaml", "warnings.yaml"):
        (tmp_path / name).write_text((SEARCH_DIR / name).read_text())
    (tmp_path / "words.yaml").write_text("stopwords: [the, on, off]\n")
    with pytest.raises(ContentError, match="in quotes"):
        load_search_data(tmp_path, shipped_catalog())


def test_three_letter_words_are_not_turned_into_other_words(searcher: Searcher) -> None:
    assert searcher.search("lol").hits == () or searcher.search("lol").verdict == "unknown"
