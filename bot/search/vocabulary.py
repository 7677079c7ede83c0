"""The search vocabulary in ``content/search/``: synonyms, concepts and warning signs.

``words.yaml`` holds stop words, misspelling rewrites, word groups and off-topic words;
``concepts.yaml`` maps what people say to the content's words and entries (and the "too
general" questions); ``warnings.yaml`` lists the warning signs and the entries answering them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.catalog.entries import Catalog
from bot.catalog.files import CONTENT_DIR, ContentError, read_mapping
from bot.search.normalize import normalize, stem
from bot.search.phrases import Phrase, make_phrases, words_of

SEARCH_DIR = CONTENT_DIR / "search"


@dataclass(frozen=True)
class Concept:
    """What people say (``when``) and what it means in the content's words."""

    when: tuple[Phrase, ...]
    means: tuple[str, ...]
    entries: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchData:
    """The synonym and concept layer, as written in ``content/search/*.yaml``."""

    stopwords: frozenset[str] = frozenset()
    vague: tuple[str, ...] = ()
    vague_when: frozenset[str] = frozenset()
    offtopic_words: frozenset[str] = frozenset()
    offtopic_phrases: tuple[Phrase, ...] = ()
    rewrite: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    concepts: tuple[Concept, ...] = ()
    warning_answer: tuple[str, ...] = ()
    warning_signs: Mapping[str, tuple[Phrase, ...]] = field(default_factory=dict)


def _list(raw: object, where: str, problems: list[str]) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, str | int) for item in raw):
        problems.append(f"{where}: expected a list of words or phrases")
        return []
    if any(isinstance(item, bool) for item in raw):
        # YAML reads a bare on, off, yes or no as true or false: the word is lost.
        problems.append(f"{where}: write on, off, yes and no in quotes")
        return []
    return [str(item) for item in raw if str(item).strip()]


def _read(path: Path, problems: list[str]) -> dict[str, object]:
    return read_mapping(path, f"content/search/{path.name}", problems)


@dataclass(frozen=True)
class _Words:
    """What words.yaml says, before the other files are read with it."""

    rewrite: dict[str, tuple[str, ...]]
    stopwords: frozenset[str]
    groups: dict[str, list[str]]
    offtopic: tuple[Phrase, ...]


def _read_words(raw: dict[str, object], problems: list[str]) -> _Words:
    rewrite_raw = raw.get("rewrite") or {}
    rewrite: dict[str, tuple[str, ...]] = {}
    if isinstance(rewrite_raw, dict):
        for key, value in rewrite_raw.items():
            rewrite[normalize(str(key))] = tuple(normalize(str(value)).split())
    else:
        problems.append("content/search/words.yaml: rewrite must map words to words")
    stopwords = frozenset(
        stem(w) for w in _list(raw.get("stopwords"), "words.yaml stopwords", problems)
    )
    groups_raw = raw.get("groups") or {}
    groups: dict[str, list[str]] = {}
    if isinstance(groups_raw, dict):
        for name, members in groups_raw.items():
            groups[str(name)] = _list(members, f"words.yaml group {name}", problems)
    else:
        problems.append("content/search/words.yaml: groups must map names to word lists")
    offtopic = make_phrases(
        _list(raw.get("offtopic"), "offtopic", problems), groups, problems, None, stopwords
    )
    return _Words(rewrite, stopwords, groups, offtopic)


def _read_concepts(raw: dict[str, object], words: _Words, problems: list[str]) -> list[Concept]:
    concepts: list[Concept] = []
    raw_list = raw.get("concepts") or []
    for number, item in enumerate(raw_list if isinstance(raw_list, list) else [], start=1):
        where = f"content/search/concepts.yaml concept {number}"
        if not isinstance(item, dict) or not item.get("when"):
            problems.append(f"{where}: needs 'when' phrases")
            continue
        when = _list(item.get("when"), where, problems)
        concepts.append(
            Concept(
                when=make_phrases(when, words.groups, problems, words.rewrite, words.stopwords),
                means=tuple(
                    w
                    for t in _list(item.get("means"), where, problems)
                    for w in words_of(t, {})
                    if w not in words.stopwords
                ),
                entries=tuple(_list(item.get("entries"), where, problems)),
            )
        )
    return concepts


def _read_signs(
    raw: dict[str, object], words: _Words, problems: list[str]
) -> dict[str, tuple[Phrase, ...]]:
    signs_raw = raw.get("signs") or {}
    signs: dict[str, tuple[Phrase, ...]] = {}
    if isinstance(signs_raw, dict):
        for name, phrases in signs_raw.items():
            signs[str(name)] = make_phrases(
                _list(phrases, f"warnings.yaml {name}", problems),
                words.groups,
                problems,
                words.rewrite,
                words.stopwords,
            )
    return signs


def _read_vague(
    raw: dict[str, object], words: _Words, problems: list[str]
) -> tuple[tuple[str, ...], frozenset[str]]:
    vague_raw = raw.get("vague") or {}
    if not isinstance(vague_raw, dict):
        problems.append("content/search/concepts.yaml: vague needs 'when' and 'offer'")
        vague_raw = {}
    vague = tuple(_list(vague_raw.get("offer"), "concepts.yaml vague offer", problems))
    vague_when = frozenset(
        w
        for t in _list(vague_raw.get("when"), "concepts.yaml vague when", problems)
        for w in words_of(t, words.rewrite)
    )
    return vague, vague_when


def load_search_data(directory: Path = SEARCH_DIR, catalog: Catalog | None = None) -> SearchData:
    """Read the synonym, concept and warning-sign files; check entry ids against ``catalog``.

    Raises:
        ContentError: naming the file and item of every problem found.
    """
    problems: list[str] = []
    words_raw = _read(directory / "words.yaml", problems)
    concepts_raw = _read(directory / "concepts.yaml", problems)
    warnings_raw = _read(directory / "warnings.yaml", problems)
    words = _read_words(words_raw, problems)
    concepts = _read_concepts(concepts_raw, words, problems)
    signs = _read_signs(warnings_raw, words, problems)
    answer = tuple(_list(warnings_raw.get("answer"), "warnings.yaml answer", problems))
    vague, vague_when = _read_vague(concepts_raw, words, problems)
    if catalog is not None:
        named = [*answer, *vague, *(entry for concept in concepts for entry in concept.entries)]
        problems.extend(
            f"content/search: entry {entry_id} does not exist"
            for entry_id in dict.fromkeys(named)
            if entry_id not in catalog
        )
    if problems:
        raise ContentError(problems)
    return SearchData(
        stopwords=words.stopwords,
        vague=vague,
        vague_when=vague_when,
        offtopic_words=frozenset(p.words[0] for p in words.offtopic if len(p.words) == 1),
        offtopic_phrases=tuple(p for p in words.offtopic if len(p.words) > 1),
        rewrite=words.rewrite,
        concepts=tuple(concepts),
        warning_answer=answer,
        warning_signs=signs,
    )
