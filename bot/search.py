"""Find the entry that answers a question typed in plain words.

The index is built once at start-up. A question is normalised, rewritten (common misspellings,
plain synonyms), typo-corrected word by word against the content's vocabulary with rapidfuzz,
expanded with the concept layer from ``content/search/``, then scored against every entry's
fields at once through inverted indexes: how much of the question an entry explains
(weighted by field and by how rare each word is), and how completely the question contains
one of the entry's names (title or alias).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.content import CONTENT_DIR, Catalog, ContentError, Entry
from bot.normalize import is_latin, normalize, stem

SEARCH_DIR = CONTENT_DIR / "search"

# How much a word counts where it appears: names (title, aliases) over keywords over prose,
# so a word buried in a body never outweighs the entry whose title it is.
FIELD_WEIGHTS = {"title": 1.0, "alias": 1.0, "keyword": 0.75, "summary": 0.45, "body": 0.25}
# A word of the question no entry uses counts like a fairly rare word the entry lacks.
UNKNOWN_WEIGHT = 1.6
# A word that marks another topic ("cat", "bread", "chair") outweighs any match.
OFFTOPIC_WEIGHT = 9.0
# A corrected typo counts a little less than the word typed right.
CORRECTED_FACTOR = 0.85
# Words a concept adds count at this share, on top of what was typed.
CONCEPT_FACTOR = 0.5
CONCEPT_BOOST = 0.22
MAX_BOOST = 0.35
# An entry's fit: the share of the question it explains, how fully the question names it
# (title or alias), and the concept boost; FIT_MAX scales the best possible fit to 100.
EXPLAINED_PART = 0.6
NAMED_PART = 0.5
FIT_MAX = EXPLAINED_PART + NAMED_PART + MAX_BOOST
MAX_WORDS = 24
# A name (title or alias) made only of common words ("why massage") is a weak match however
# completely the question contains it; full credit from this much word weight up.
SPECIFIC_NAME = 1.5
# Likewise a question of only common words ("massage", "back") cannot be answered confidently.
SPECIFIC_QUESTION = 1.2

# Calibration, on tests/data/questions.jsonl (see bench/search.py):
ANSWER_AT = 55  # a top score from here, clearly ahead, is answered directly
CLEAR_LEAD = 6  # "clearly ahead": this many points over the runner-up
CHOICES_AT = 44  # from here up, close candidates are offered as "did you mean"
CLOSE_TO_TOP = 12  # candidates within this many points of the top are offered
MAX_CHOICES = 3

Verdict = Literal["answer", "choose", "unknown", "empty"]


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together ("knot between") or anywhere ("shoulder + tense")."""

    words: tuple[str, ...]
    anywhere: bool = False

    def found_in(self, sequence: str, present: frozenset[str]) -> bool:
        if self.anywhere:
            return all(word in present for word in self.words)
        return f" {' '.join(self.words)} " in sequence


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
    offtopic_words: frozenset[str] = frozenset()
    offtopic_phrases: tuple[Phrase, ...] = ()
    rewrite: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    concepts: tuple[Concept, ...] = ()
    warning_answer: tuple[str, ...] = ()
    warning_signs: Mapping[str, tuple[Phrase, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """An entry and how well it answers the question, 0 to 100."""

    entry_id: str
    score: int


@dataclass(frozen=True)
class Result:
    """What the search made of a question.

    ``hits`` are best first; with ``verdict`` "answer" the first is the answer, with "choose"
    they are the close candidates, with "unknown" the nearest entries (for suggestions).
    ``warnings`` names the warning signs found, whatever the verdict.
    """

    query: str
    verdict: Verdict
    hits: tuple[Hit, ...] = ()
    warnings: tuple[str, ...] = ()
    foreign: bool = False


@dataclass
class _Question:
    words: list[str]
    corrected: set[str]
    sequence: str
    present: frozenset[str]


def _words(text: str, rewrite: Mapping[str, tuple[str, ...]]) -> list[str]:
    out: list[str] = []
    for word in normalize(text).split():
        out.extend(rewrite.get(word, (word,)))
    return [stem(word) for word in out]


def _phrase(text: str, rewrite: Mapping[str, tuple[str, ...]] | None = None) -> Phrase:
    rewrite = rewrite or {}
    if "+" in text:
        words = tuple(word for part in text.split("+") for word in _words(part, rewrite))
        return Phrase(words, anywhere=True)
    return Phrase(tuple(_words(text, rewrite)))


def _list(raw: object, where: str, problems: list[str]) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, str | int) for item in raw):
        problems.append(f"{where}: expected a list of words or phrases")
        return []
    return [str(item) for item in raw if str(item).strip()]


def _read(path: Path, problems: list[str]) -> dict[str, object]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problems.append(f"content/search/{path.name}: cannot be read as YAML: {error}")
        return {}
    if not isinstance(data, dict):
        problems.append(f"content/search/{path.name}: expected a mapping")
        return {}
    return data


def load_search_data(directory: Path = SEARCH_DIR, catalog: Catalog | None = None) -> SearchData:
    """Read the synonym, concept and warning-sign files; check entry ids against ``catalog``.

    Raises:
        ContentError: naming the file and item of every problem found.
    """
    problems: list[str] = []
    words = _read(directory / "words.yaml", problems)
    concepts_raw = _read(directory / "concepts.yaml", problems)
    warnings_raw = _read(directory / "warnings.yaml", problems)

    rewrite_raw = words.get("rewrite") or {}
    rewrite: dict[str, tuple[str, ...]] = {}
    if isinstance(rewrite_raw, dict):
        for key, value in rewrite_raw.items():
            rewrite[normalize(str(key))] = tuple(normalize(str(value)).split())
    else:
        problems.append("content/search/words.yaml: rewrite must map words to words")
    stopwords = frozenset(
        stem(w) for w in _list(words.get("stopwords"), "words.yaml stopwords", problems)
    )
    offtopic = [_phrase(text) for text in _list(words.get("offtopic"), "offtopic", problems)]

    concepts: list[Concept] = []
    raw_list = concepts_raw.get("concepts") or []
    for number, item in enumerate(raw_list if isinstance(raw_list, list) else [], start=1):
        where = f"content/search/concepts.yaml concept {number}"
        if not isinstance(item, dict) or not item.get("when"):
            problems.append(f"{where}: needs 'when' phrases")
            continue
        concepts.append(
            Concept(
                when=tuple(_phrase(t, rewrite) for t in _list(item.get("when"), where, problems)),
                means=tuple(
                    w
                    for t in _list(item.get("means"), where, problems)
                    for w in _words(t, {})
                    if w not in stopwords
                ),
                entries=tuple(_list(item.get("entries"), where, problems)),
            )
        )
    signs_raw = warnings_raw.get("signs") or {}
    signs: dict[str, tuple[Phrase, ...]] = {}
    if isinstance(signs_raw, dict):
        for name, phrases in signs_raw.items():
            signs[str(name)] = tuple(
                _phrase(t, rewrite) for t in _list(phrases, f"warnings.yaml {name}", problems)
            )
    answer = tuple(_list(warnings_raw.get("answer"), "warnings.yaml answer", problems))
    if catalog is not None:
        named = [*answer, *(entry for concept in concepts for entry in concept.entries)]
        problems.extend(
            f"content/search: entry {entry_id} does not exist"
            for entry_id in dict.fromkeys(named)
            if entry_id not in catalog
        )
    if problems:
        raise ContentError(problems)
    return SearchData(
        stopwords=stopwords,
        offtopic_words=frozenset(p.words[0] for p in offtopic if len(p.words) == 1),
        offtopic_phrases=tuple(p for p in offtopic if len(p.words) > 1),
        rewrite=rewrite,
        concepts=tuple(concepts),
        warning_answer=answer,
        warning_signs=signs,
    )


class Searcher:
    """The search index over a catalog: build once, then ``search`` each question."""

    def __init__(self, catalog: Catalog, data: SearchData) -> None:
        self._data = data
        self._ids: list[str] = [entry.id for entry in catalog]
        fields = [self._fields(entry) for entry in catalog]
        count = len(self._ids)
        frequency: dict[str, int] = {}
        for entry_fields in fields:
            for word in {w for words in entry_fields.values() for w in words}:
                frequency[word] = frequency.get(word, 0) + 1
        self._idf = {
            word: math.log((count + 1) / (seen + 0.5)) for word, seen in frequency.items()
        }
        # word -> [(entry index, best field weight of that word in that entry)]
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for index, entry_fields in enumerate(fields):
            best: dict[str, float] = {}
            for name, words in entry_fields.items():
                for word in words:
                    best[word] = max(best.get(word, 0.0), FIELD_WEIGHTS[name])
            for word, weight in best.items():
                self._postings.setdefault(word, []).append((index, weight))
        # Names (title and aliases): word -> [(name index, word weight)]; name -> entry
        self._name_entry: list[int] = []
        self._name_mass: list[float] = []
        self._name_credit: list[float] = []
        self._name_postings: dict[str, list[tuple[int, float]]] = {}
        for index, entry in enumerate(catalog):
            for name in (entry.title, *entry.aliases):
                unique = set(self._content_words(name))
                if not unique:
                    continue
                number = len(self._name_entry)
                self._name_entry.append(index)
                mass = sum(self._idf[w] for w in unique)
                self._name_mass.append(mass)
                self._name_credit.append(min(1.0, mass / SPECIFIC_NAME))
                for word in unique:
                    self._name_postings.setdefault(word, []).append((number, self._idf[word]))
        self._vocabulary = sorted(frequency, key=lambda w: (-frequency[w], w))
        unused = sorted({w for c in data.concepts for w in c.means if w not in frequency})
        if unused:
            raise ContentError(
                [f"content/search/concepts.yaml: no entry uses the word(s) {', '.join(unused)}"]
            )
        self._position = {entry_id: index for index, entry_id in enumerate(self._ids)}
        # Candidates for a typo of a given length: words at most two letters longer or shorter.
        # Stop words are candidates too, so "wich" and "shuold" become the words they are.
        phrases = [*(p for c in data.concepts for p in c.when), *data.offtopic_phrases]
        phrases += [p for signs in data.warning_signs.values() for p in signs]
        self._phrase_words = frozenset(w for p in phrases for w in p.words) | data.offtopic_words
        extra = (data.stopwords | self._phrase_words) - frequency.keys()
        candidates = [*self._vocabulary, *sorted(extra)]
        self._by_length: dict[int, list[str]] = {}
        for length in range(1, 40):
            self._by_length[length] = [w for w in candidates if abs(len(w) - length) <= 2]

    def _content_words(self, text: str) -> list[str]:
        return [w for w in _words(text, self._data.rewrite) if w not in self._data.stopwords]

    def _fields(self, entry: Entry) -> dict[str, list[str]]:
        return {
            "title": self._content_words(entry.title),
            "alias": [w for alias in entry.aliases for w in self._content_words(alias)],
            "keyword": [w for keyword in entry.keywords for w in self._content_words(keyword)],
            "summary": self._content_words(entry.summary),
            "body": self._content_words(entry.body),
        }

    @property
    def vocabulary(self) -> Sequence[str]:
        return self._vocabulary

    @property
    def warning_answer(self) -> tuple[str, ...]:
        """The entries that answer a warning sign, first one first."""
        return self._data.warning_answer

    def _correct(self, word: str) -> str | None:
        """The vocabulary word one or two letters away from a typo, or None."""
        if len(word) < 4 or not word.isalpha():
            return None
        allowed = 1 if len(word) < 7 else 2
        found = process.extract(
            word,
            self._by_length.get(len(word), ()),
            scorer=OSA.distance,
            score_cutoff=allowed,
            limit=None,
        )
        if not found:
            return None
        # Nearest first; among equals, the same first letter (typos rarely hit it), then the
        # more common word (the candidates are in order of how many entries use them).
        best = min(found, key=lambda f: (f[1], f[0][0] != word[0], f[2]))
        return best[0]

    def _question(self, text: str) -> _Question:
        data = self._data
        words = _words(text, data.rewrite)[: MAX_WORDS * 2]
        corrected: set[str] = set()
        for position, word in enumerate(words):
            if word in self._idf or word in data.stopwords or word in self._phrase_words:
                continue
            fixed = self._correct(word)
            if fixed is not None:
                words[position] = fixed
                corrected.add(fixed)
        return _Question(words, corrected, f" {' '.join(words)} ", frozenset(words))

    def warnings(self, text: str) -> tuple[str, ...]:
        """The names of the warning signs a question mentions."""
        question = self._question(text)
        return self._warnings(question)

    def _warnings(self, question: _Question) -> tuple[str, ...]:
        return tuple(
            name
            for name, phrases in self._data.warning_signs.items()
            if any(p.found_in(question.sequence, question.present) for p in phrases)
        )

    def search(self, text: str, *, limit: int = 5) -> Result:
        """Score every entry against a question and decide how to answer it."""
        normalized = normalize(text)
        question = self._question(text)
        warnings = self._warnings(question)
        foreign = not is_latin(normalized)
        scores = self._scores(question)
        if scores is None:
            return Result(text, "empty" if not normalized else "unknown", (), warnings, foreign)
        ranked = sorted(
            (Hit(self._ids[i], round(score)) for i, score in enumerate(scores) if score > 0),
            key=lambda hit: -hit.score,
        )
        return Result(text, verdict_of(ranked), tuple(ranked[:limit]), warnings, foreign)

    def _scores(self, question: _Question) -> list[float] | None:
        data = self._data
        content = list(dict.fromkeys(w for w in question.words if w not in data.stopwords))
        content = content[:MAX_WORDS]
        offtopic = sum(
            1 for p in data.offtopic_phrases if p.found_in(question.sequence, question.present)
        )
        if not content and not offtopic:
            return None
        count = len(self._ids)
        boost = [0.0] * count
        added: set[str] = set()
        covered: set[str] = set()
        for concept in data.concepts:
            matched = [p for p in concept.when if p.found_in(question.sequence, question.present)]
            if matched:
                covered.update(word for phrase in matched for word in phrase.words)
                added.update(w for w in concept.means if w not in content)
                for entry_id in concept.entries:
                    boost[self._position[entry_id]] += CONCEPT_BOOST
        explained = [0.0] * count
        names = [0.0] * len(self._name_entry)
        known = 0.0
        unknown = offtopic * OFFTOPIC_WEIGHT
        for word in content:
            if word in data.offtopic_words:
                unknown += OFFTOPIC_WEIGHT
                continue
            weight = self._idf.get(word)
            if weight is None:
                # A word only the concept layer knows ("stress") is on topic, not unknown.
                if word in covered:
                    known += UNKNOWN_WEIGHT
                else:
                    unknown += UNKNOWN_WEIGHT
                continue
            if word in question.corrected:
                weight *= CORRECTED_FACTOR
            known += weight
            for index, field_weight in self._postings.get(word, ()):
                explained[index] += weight * field_weight
            for number, word_weight in self._name_postings.get(word, ()):
                names[number] += word_weight
        extra = 0.0
        for word in added:
            weight = self._idf[word] * CONCEPT_FACTOR
            extra += weight
            for index, field_weight in self._postings.get(word, ()):
                explained[index] += weight * field_weight
            for number, word_weight in self._name_postings.get(word, ()):
                names[number] += word_weight * CONCEPT_FACTOR
        if known + extra <= 0:
            return [0.0] * count
        named = [0.0] * count
        for number, mass in enumerate(names):
            if mass:
                entry = self._name_entry[number]
                credit = min(1.0, mass / self._name_mass[number]) * self._name_credit[number]
                named[entry] = max(named[entry], credit)
        # How much of the question is about massage at all, and whether it says enough.
        on_topic = (known + extra) / (known + extra + unknown)
        confidence = min(1.0, (known + extra) / SPECIFIC_QUESTION)
        scale = 100 * on_topic * confidence / FIT_MAX
        share = 1 / known if known else 0.0
        return [
            scale
            * (
                EXPLAINED_PART * min(1.0, explained[i] * share)
                + NAMED_PART * named[i]
                + min(boost[i], MAX_BOOST)
            )
            for i in range(count)
        ]


def verdict_of(ranked: Sequence[Hit]) -> Verdict:
    """How to answer, from the scores: directly, with choices, or not at all."""
    if not ranked or ranked[0].score < CHOICES_AT:
        return "unknown"
    top = ranked[0].score
    runner_up = ranked[1].score if len(ranked) > 1 else 0
    if top >= ANSWER_AT and top - runner_up >= CLEAR_LEAD:
        return "answer"
    return "choose"


def choices(ranked: Sequence[Hit]) -> tuple[Hit, ...]:
    """The candidates worth offering: close to the top, at most three."""
    if not ranked:
        return ()
    top = ranked[0].score
    return tuple(hit for hit in ranked if top - hit.score <= CLOSE_TO_TOP)[:MAX_CHOICES]


def build_searcher(catalog: Catalog, directory: Path = SEARCH_DIR) -> Searcher:
    """Load the concept layer and index the catalog (once, at start-up)."""
    return Searcher(catalog, load_search_data(directory, catalog))


def entry_ids(hits: Iterable[Hit]) -> list[str]:
    return [hit.entry_id for hit in hits]
