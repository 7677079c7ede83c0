"""``content/search/questions.yaml``: the questions people ask, filed under their entry.

The semantic side embeds them beside each entry's title and summary. Kept apart from the
entry files so that editing an entry and adding questions to it never collide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.catalog.entries import Catalog
from bot.catalog.files import ContentError, read_mapping
from bot.search.normalize import normalize
from bot.search.vocabulary import SEARCH_DIR

QUESTIONS_FILE = "questions.yaml"
MAX_QUESTION = 200


@dataclass(frozen=True)
class QuestionFile:
    """Questions filed under the entry answering them, and questions the bot cannot answer."""

    by_entry: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    offtopic: tuple[str, ...] = ()


def load_questions(catalog: Catalog, directory: Path = SEARCH_DIR) -> QuestionFile:
    """The questions file, checked against ``catalog``.

    Raises:
        ContentError: an unknown entry, a question that is not text, too long, or filed twice.
    """
    source = f"content/search/{QUESTIONS_FILE}"
    problems: list[str] = []
    data = read_mapping(directory / QUESTIONS_FILE, source, problems)
    raw = data.get("questions")
    if not problems and not isinstance(raw, dict):
        problems.append(f"{source}: expected 'questions:' mapping entry ids to lists")
    owner: dict[str, str] = {}
    found = _by_entry(raw if isinstance(raw, dict) else {}, catalog, owner, problems)
    offtopic = data.get("offtopic") or []
    if not isinstance(offtopic, list) or not all(isinstance(q, str) for q in offtopic):
        problems.append(f"{source} offtopic: expected a list of questions")
        offtopic = []
    for question in offtopic:
        _file(question, "offtopic", owner, problems)
    if problems:
        raise ContentError(problems)
    return QuestionFile(found, tuple(q.strip() for q in offtopic if q.strip()))


def _file(question: str, name: str, owner: dict[str, str], problems: list[str]) -> None:
    where = f"content/search/{QUESTIONS_FILE} {name}"
    key = normalize(question)
    if not key or len(question) > MAX_QUESTION:
        problems.append(f"{where}: a question must be 1 to {MAX_QUESTION} characters")
    elif key in owner:
        problems.append(f"{where}: {question!r} is already filed under {owner[key]}")
    else:
        owner[key] = name


def _by_entry(
    raw: Mapping[object, object], catalog: Catalog, owner: dict[str, str], problems: list[str]
) -> dict[str, tuple[str, ...]]:
    source = f"content/search/{QUESTIONS_FILE}"
    found: dict[str, tuple[str, ...]] = {}
    for entry_id, items in raw.items():
        where = f"{source} {entry_id}"
        if not isinstance(entry_id, str) or entry_id not in catalog:
            problems.append(f"{where}: no entry with this id")
            continue
        if not isinstance(items, list) or not all(isinstance(q, str) for q in items):
            problems.append(f"{where}: expected a list of questions")
            continue
        for question in items:
            _file(question, entry_id, owner, problems)
        found[entry_id] = tuple(q.strip() for q in items if q.strip())
    return found
