"""Ask v2: the semantic model beside the lexical matcher, the fusion, and life without it."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from bot.ask.service import Asker, build_asker
from bot.catalog.files import ContentError
from bot.search.hybrid import Searcher, build_searcher
from bot.search.questions import load_questions
from bot.search.semantic import (
    MODEL_PATH,
    TOKENIZER_PATH,
    Embedder,
    SemanticIndex,
    load_embedder,
)
from bot.search.vocabulary import SEARCH_DIR
from standin import BotApiStandIn
from tests.support.app import buttons, running_bot, shipped_catalog

ROOT = Path(__file__).resolve().parent.parent
PAGES_TUNE = ROOT / "bench" / "data" / "questions-pages-tune.jsonl"
TUNED = ROOT / "tests" / "data" / "questions.jsonl"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("vectors")


@pytest.fixture(scope="module")
def searcher(cache: Path) -> Searcher:
    found = build_searcher(shipped_catalog(), cache=cache)
    assert found.semantic is not None, "the shipped model must load in the test environment"
    return found


@pytest.fixture(scope="module")
def asker(searcher: Searcher) -> Asker:
    return build_asker(shipped_catalog(), searcher)


def first(asker: Asker, question: str) -> str | None:
    results = asker.as_json(question)["results"]
    assert isinstance(results, list)
    return results[0]["id"] if results else None


def test_the_model_gives_unit_vectors_that_put_paraphrases_together() -> None:
    embedder = Embedder.load()
    vectors = embedder.embed(
        ["how do I ease shoulder tension", "my shoulders are so tight", "best pizza recipe"]
    )
    assert vectors.shape == (3, 384)
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-3
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.2


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how do I give someone a back massage", "routine.full-back"),  # the general intent
        ("how to loosen the rhomboids", "technique.palm-friction-shoulder-blades"),
        ("how to massage the trapezoid", "technique.trapezius-kneading"),
        ("can I use coconut oil from the kitchen", "product.oil"),  # an everyday product
        ("do twin sheets fit a massage table", "prep.table-setup"),
        ("how to massage the waist between the ribs and hip", "technique.side-lifting-effleurage"),
        ("am i using the rigth amount of presure", "tip.pressure-without-training"),  # typos
    ],
)
def test_questions_in_peoples_words_find_their_entry(
    asker: Asker, question: str, expected: str
) -> None:
    assert first(asker, question) == expected


@pytest.mark.parametrize(
    "question", ["how do I give myself a back massage", "step by step foot massage", "best pizza"]
)
def test_questions_the_bot_cannot_answer_get_i_dont_know(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.results == ()
    assert "I don't know" in answer.replies[0].text


@pytest.mark.parametrize(
    "question",
    [
        "¿Puedo recibir un masaje si tengo dolor de espalda?",
        "comment faire un massage du dos",
        "wie kann ich meinem Partner den Rücken massieren",
        "как сделать массаж спины",
    ],
)
def test_another_language_gets_an_honest_answer(asker: Asker, question: str) -> None:
    answer = asker.ask(question)
    assert answer.results == ()
    assert "only understand English" in answer.replies[0].text


def test_warning_signs_still_come_first(asker: Asker) -> None:
    line = asker.as_json("sudden numbness in both legs after lifting")
    assert line["warnings"]
    assert line["results"][0]["id"] == "safety.red-flags"  # type: ignore[index]


def test_the_json_line_keeps_its_contract(asker: Asker) -> None:
    line = asker.as_json("what oil should I use")
    assert set(line) == {"query", "results", "verdict"}
    assert line["verdict"] == "answer"
    for result in line["results"]:  # type: ignore[attr-defined]
        assert set(result) == {"id", "score"}
        assert 0 <= result["score"] <= 100
    assert json.dumps(line)


def test_without_the_model_the_bot_answers_from_words_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    searcher = build_searcher(shipped_catalog(), model=tmp_path / "missing.onnx", cache=tmp_path)
    assert searcher.semantic is None
    lines = [r for r in caplog.records if "semantic search is off" in r.getMessage()]
    assert len(lines) == 1
    asker = build_asker(shipped_catalog(), searcher)
    assert first(asker, "what oil should I use") == "product.oil"
    assert first(asker, "how do I ease shoulder tension") == "technique.trapezius-kneading"


def test_a_model_file_that_is_not_the_checked_one_is_refused(tmp_path: Path) -> None:
    altered = tmp_path / "model.onnx"
    shutil.copyfile(MODEL_PATH, altered)
    data = bytearray(altered.read_bytes())
    data[1000] ^= 0xFF  # one byte changed
    altered.write_bytes(bytes(data))
    assert load_embedder(altered) is None
    assert load_embedder(MODEL_PATH, tmp_path / "no-tokenizer.json") is None


def test_entry_vectors_are_cached_by_content(tmp_path: Path) -> None:
    embedder = Embedder.load()
    first_index = SemanticIndex.of_texts(embedder, ["oil", "towels"], None, tmp_path)
    files = list(tmp_path.glob("vectors-*.npy"))
    assert len(files) == 1
    again = SemanticIndex.of_texts(embedder, ["oil", "towels"], None, tmp_path)
    assert (again.vectors == first_index.vectors).all()
    SemanticIndex.of_texts(embedder, ["oil", "sheets"], None, tmp_path)
    assert len(list(tmp_path.glob("vectors-*.npy"))) == 2


def test_the_questions_file_is_checked_against_the_catalog(tmp_path: Path) -> None:
    for name in ("words.yaml", "concepts.yaml", "warnings.yaml"):
        shutil.copyfile(SEARCH_DIR / name, tmp_path / name)
    (tmp_path / "questions.yaml").write_text(
        "questions:\n"
        "  product.oil: [what oil, which oil is best]\n"
        "  product.nothing: [a question]\n"
        "  product.linen:\n"
        "    - What oil?\n"
        "offtopic: [how to bake bread]\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as error:
        load_questions(shipped_catalog(), tmp_path)
    problems = "\n".join(error.value.problems)
    assert "product.nothing: no entry with this id" in problems
    assert "'What oil?' is already filed under product.oil" in problems


def test_the_shipped_questions_file_is_valid() -> None:
    questions = load_questions(shipped_catalog())
    assert sum(len(q) for q in questions.by_entry.values()) >= 280
    assert set(questions.by_entry) <= set(shipped_catalog().entries)
    assert TOKENIZER_PATH.is_file()


def floor(asker: Asker, path: Path) -> dict[str, float]:
    """top-1, top-3 and false "I don't know" of answerable questions; off-topic rejection."""
    answerable = top1 = top3 = idk = offtopic = rejected = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        results = asker.as_json(item.get("query", item.get("q")))["results"]
        ids = [result["id"] for result in results]  # type: ignore[attr-defined]
        if item["kind"] in ("plain", "name", "typo", "answerable"):
            answerable += 1
            top1 += bool(ids) and ids[0] in item["expect"]
            top3 += bool(set(ids[:3]) & set(item["expect"]))
            idk += not ids
        elif item["kind"] == "offtopic":
            offtopic += 1
            rejected += not ids
    return {
        "top1": top1 / answerable,
        "top3": top3 / answerable,
        "idk": idk / answerable,
        "offtopic": rejected / offtopic,
    }


def test_accuracy_on_questions_from_public_pages_stays_above_the_floor(asker: Asker) -> None:
    """Tuning set (BENCHMARKS.md has the figures): a content or fusion edit that loses
    real people's questions fails here. Floors sit a few points under the measured figures."""
    found = floor(asker, PAGES_TUNE)
    assert found["top1"] >= 0.88, found
    assert found["top3"] >= 0.94, found
    assert found["idk"] <= 0.05, found
    assert found["offtopic"] >= 0.9, found


def test_accuracy_on_the_first_labelled_set_stays_above_the_floor(asker: Asker) -> None:
    found = floor(asker, TUNED)
    assert found["top1"] >= 0.95, found
    assert found["top3"] >= 0.97, found
    assert found["offtopic"] >= 0.92, found


async def test_the_running_bot_answers_with_both_sides(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with running_bot(standin, tmp_path / "bot.sqlite3", SEMANTIC_SEARCH="on") as bot:
        assert bot.services.asker.searcher.semantic is not None
        reply = await bot.say("how to give my partner a relaxing back massage")
        offered = [button["callback_data"] for button in buttons(reply)]
        assert reply["text"].startswith("Full back routine") or offered[0] == (
            "ask:routine.full-back"
        )
        reply = await bot.say("¿Puedo recibir un masaje si tengo dolor de espalda?")
        assert "only understand English" in reply["text"]
