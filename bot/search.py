"""Find the entry that answers a question typed in plain words.

The index is built once at start-up. A question is normalised, rewritten (common misspellings,
plain synonyms), typo-corrected word by word against the content's vocabulary with rapidfuzz,
expanded with the concept layer from ``content/search/``, then scored against every entry's
fields at once through inverted indexes: how much of the question an entry explains
(weighted by field and by how rare each word is), and how completely the question contains
one of the entry's names (title or alias).
"""

from __future__ import annotations

import itertools
import math
import re
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
SHORT_AT = 25  # a short on-topic question offers its nearest entries from this score up

Verdict = Literal["answer", "choose", "unknown", "empty"]
# A question on topic that says too little: only general words ("back massage"), or a word
# or two ("pressure").
Vague = Literal["", "general", "short"]


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together ("knot between") or anywhere ("shoulder + tense").

    ``bare`` is the phrase without its stop words, when two or more words remain: people
    drop or change the little words ("bottom of back" for "bottom of the back"), so a
    phrase also matches the question's own words with the stop words left out.
    """

    words: tuple[str, ...]
    anywhere: bool = False
    bare: tuple[str, ...] = ()
    # The phrases as they appear in a question's word sequence, joined once (word groups
    # make hundreds of phrases, and each question is checked against all of them).
    _text: str = field(init=False, repr=False, compare=False)
    _bare_text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_text", f" {' '.join(self.words)} ")
        object.__setattr__(self, "_bare_text", f" {' '.join(self.bare)} ")

    def found_in(self, sequence: str, present: frozenset[str], bare: str = "") -> bool:
        if not self.words:
            return False
        if self.anywhere:
            return all(word in present for word in self.words)
        if self.words[0] in present and self._text in sequence:
            return True
        return bool(self.bare) and self.bare[0] in present and self._bare_text in bare


class PhraseIndex:
    """Phrases filed under a word each must contain, so a question only checks the phrases
    whose first word it has (word groups make over a thousand phrases)."""

    def __init__(self, phrases: Iterable[tuple[int, Phrase]]) -> None:
        self._by_word: dict[str, list[tuple[int, Phrase]]] = {}
        for key, phrase in phrases:
            if not phrase.words:
                continue
            firsts = {phrase.words[0], *phrase.bare[:1]}
            for word in firsts:
                self._by_word.setdefault(word, []).append((key, phrase))

    def matches(self, question: _Question) -> dict[int, list[Phrase]]:
        """The keys of the phrases found in the question, with the phrases found."""
        found: dict[int, list[Phrase]] = {}
        for word in question.present:
            for key, phrase in self._by_word.get(word, ()):
                if phrase.found_in(question.sequence, question.present, question.bare):
                    found.setdefault(key, []).append(phrase)
        return found


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
    bare: str = ""


def _words(text: str, rewrite: Mapping[str, tuple[str, ...]]) -> list[str]:
    out: list[str] = []
    for word in normalize(text).split():
        out.extend(rewrite.get(word, (word,)))
    return [stem(word) for word in out]


# Stop words that carry a phrase's meaning: "how long to massage" is not "a long massage",
# so a phrase with one of these has no stop-word-free form.
MEANINGFUL = frozenset(
    {
        "how",
        "what",
        "when",
        "where",
        "why",
        "which",
        "who",
        "not",
        "no",
        "too",
        "much",
        "many",
        "without",
        "off",
        "never",
        "dont",
        "cant",
        "wont",
        "shouldnt",
        "more",
    }
)
_GROUP = re.compile(r"@([a-z][a-z_-]*)")


def _expand(text: str, groups: Mapping[str, list[str]], problems: list[str]) -> list[str]:
    """ "@sore + @upper" -> one phrase per combination of the groups' members."""
    names = _GROUP.findall(text)
    if not names:
        return [text]
    missing = [name for name in names if name not in groups]
    if missing:
        problems.append(f"content/search: no word group named @{', @'.join(missing)}")
        return []
    pieces = _GROUP.split(text)  # literal, name, literal, name, ..., literal
    out: list[str] = []
    for members in itertools.product(*(groups[name] for name in names)):
        parts = [pieces[0]]
        for member, literal in zip(members, pieces[2::2], strict=True):
            parts += [member, literal]
        out.append("".join(parts))
    return out


def _phrase(
    text: str,
    rewrite: Mapping[str, tuple[str, ...]] | None = None,
    stopwords: frozenset[str] = frozenset(),
) -> Phrase:
    rewrite = rewrite or {}
    if "+" in text:
        words = tuple(word for part in text.split("+") for word in _words(part, rewrite))
        return Phrase(words, anywhere=True)
    words = tuple(_words(text, rewrite))
    bare = tuple(word for word in words if word not in stopwords)
    if len(bare) < 2 or bare == words or MEANINGFUL & set(words):
        bare = ()
    return Phrase(words, bare=bare)


def _phrases(
    texts: list[str],
    groups: Mapping[str, list[str]],
    problems: list[str],
    rewrite: Mapping[str, tuple[str, ...]] | None = None,
    stopwords: frozenset[str] = frozenset(),
) -> tuple[Phrase, ...]:
    return tuple(
        _phrase(expanded, rewrite, stopwords)
        for text in texts
        for expanded in _expand(text, groups, problems)
    )


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
    groups_raw = words.get("groups") or {}
    groups: dict[str, list[str]] = {}
    if isinstance(groups_raw, dict):
        for name, members in groups_raw.items():
            groups[str(name)] = _list(members, f"words.yaml group {name}", problems)
    else:
        problems.append("content/search/words.yaml: groups must map names to word lists")
    offtopic = _phrases(
        _list(words.get("offtopic"), "offtopic", problems), groups, problems, None, stopwords
    )

    concepts: list[Concept] = []
    raw_list = concepts_raw.get("concepts") or []
    for number, item in enumerate(raw_list if isinstance(raw_list, list) else [], start=1):
        where = f"content/search/concepts.yaml concept {number}"
        if not isinstance(item, dict) or not item.get("when"):
            problems.append(f"{where}: needs 'when' phrases")
            continue
        concepts.append(
            Concept(
                when=_phrases(
                    _list(item.get("when"), where, problems), groups, problems, rewrite, stopwords
                ),
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
            signs[str(name)] = _phrases(
                _list(phrases, f"warnings.yaml {name}", problems),
                groups,
                problems,
                rewrite,
                stopwords,
            )
    answer = tuple(_list(warnings_raw.get("answer"), "warnings.yaml answer", problems))
    vague_raw = concepts_raw.get("vague") or {}
    if not isinstance(vague_raw, dict):
        problems.append("content/search/concepts.yaml: vague needs 'when' and 'offer'")
        vague_raw = {}
    vague = tuple(_list(vague_raw.get("offer"), "concepts.yaml vague offer", problems))
    vague_when = frozenset(
        w
        for t in _list(vague_raw.get("when"), "concepts.yaml vague when", problems)
        for w in _words(t, rewrite)
    )
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
        stopwords=stopwords,
        vague=vague,
        vague_when=vague_when,
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
        self._concept_index = PhraseIndex(
            (number, p) for number, c in enumerate(data.concepts) for p in c.when
        )
        self._offtopic_index = PhraseIndex(enumerate(data.offtopic_phrases))
        self._sign_names = list(data.warning_signs)
        self._sign_index = PhraseIndex(
            (number, p) for number, signs in enumerate(data.warning_signs.values()) for p in signs
        )
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
        """The vocabulary word one or two letters away from a typo, or None.

        A three-letter word is only completed ("nek") or has its middle letter changed
        ("oyl"): with so few letters, any other change ("lol" to "lov") is usually a
        different word, not a typo.
        """
        if len(word) < 3 or not word.isalpha():
            return None
        allowed = 1 if len(word) < 7 else 2
        found = process.extract(
            word,
            self._by_length.get(len(word), ()),
            scorer=OSA.distance,
            score_cutoff=allowed,
            limit=None,
        )
        if len(word) == 3:
            found = [
                f for f in found if f[0][0] == word[0] and (len(f[0]) == 4 or f[0][-1] == word[-1])
            ]
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
        bare = " ".join(word for word in words if word not in data.stopwords)
        return _Question(words, corrected, f" {' '.join(words)} ", frozenset(words), f" {bare} ")

    def warnings(self, text: str) -> tuple[str, ...]:
        """The names of the warning signs a question mentions."""
        question = self._question(text)
        return self._warnings(question)

    def _warnings(self, question: _Question) -> tuple[str, ...]:
        found = self._sign_index.matches(question)
        return tuple(name for number, name in enumerate(self._sign_names) if number in found)

    def search(self, text: str, *, limit: int = 5) -> Result:
        """Score every entry against a question and decide how to answer it."""
        normalized = normalize(text)
        question = self._question(text)
        warnings = self._warnings(question)
        foreign = not is_latin(normalized)
        scored = self._scores(question)
        if scored is None:
            return Result(text, "empty" if not normalized else "unknown", (), warnings, foreign)
        scores, vague = scored
        ranked = sorted(
            (Hit(self._ids[i], round(score)) for i, score in enumerate(scores) if score > 0),
            key=lambda hit: -hit.score,
        )
        verdict = verdict_of(ranked)
        if verdict == "unknown" and vague == "general" and self._data.vague:
            # "back massage": on topic but too general to pick one entry; offer the starting
            # points rather than "I don't know".
            first = [Hit(entry_id, CHOICES_AT) for entry_id in self._data.vague]
            ranked = [*first, *(hit for hit in ranked if hit.entry_id not in self._data.vague)]
            verdict = "choose"
        elif verdict == "unknown" and vague and ranked and ranked[0].score >= SHORT_AT:
            # "pressure", "thumbs": a word or two, all on topic; the nearest entries are a
            # better answer than "I don't know".
            verdict = "choose"
        return Result(text, verdict, tuple(ranked[:limit]), warnings, foreign)

    def _scores(self, question: _Question) -> tuple[list[float], Vague] | None:
        """Every entry's score, and whether the question is on topic but says too little."""
        data = self._data
        content = list(dict.fromkeys(w for w in question.words if w not in data.stopwords))
        content = content[:MAX_WORDS]
        offtopic = sum(len(found) for found in self._offtopic_index.matches(question).values())
        count = len(self._ids)
        boost = [0.0] * count
        added: set[str] = set()
        meant: set[str] = set()  # words a phrase that is the whole question means
        covered: set[str] = set()
        typed = set(content)
        for number, matched in sorted(self._concept_index.matches(question).items()):
            concept = data.concepts[number]
            said = {word for phrase in matched for word in phrase.words}
            covered.update(said)
            added.update(w for w in concept.means if w not in content)
            # A phrase that is the whole question ("how fast should I go") and names its
            # answer is the question's meaning: its words count in full and its entries get
            # the most a concept can give. (A concept without entries is only synonyms.)
            whole = bool(typed) and typed <= said and bool(concept.entries)
            if whole:
                meant.update(concept.means)
            lift = MAX_BOOST if whole else CONCEPT_BOOST
            for entry_id in concept.entries:
                boost[self._position[entry_id]] += lift
        if not content and added:
            # Only stop words, but a known phrase ("what do I need", "get better"): the
            # phrase's meaning is the question.
            content, added = sorted(added), set()
        if not content and not offtopic:
            return None
        explained = [0.0] * count
        names = [0.0] * len(self._name_entry)
        known = 0.0
        unknown = offtopic * OFFTOPIC_WEIGHT
        for word in content:
            # "computer" is another topic, unless a phrase made it ours ("shoulders hurt
            # from the computer").
            if word in data.offtopic_words and word not in covered:
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
            factor = 1.0 if word in meant else CONCEPT_FACTOR
            weight = self._idf[word] * factor
            extra += weight
            for index, field_weight in self._postings.get(word, ()):
                explained[index] += weight * field_weight
            for number, word_weight in self._name_postings.get(word, ()):
                names[number] += word_weight * factor
        if known + extra <= 0:
            return [0.0] * count, ""
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
        vague: Vague = ""
        if unknown == 0 and confidence < 1.0:
            vague = "general" if set(content) <= data.vague_when else "short"
        return [
            scale
            * (
                EXPLAINED_PART * min(1.0, explained[i] * share)
                + NAMED_PART * named[i]
                + min(boost[i], MAX_BOOST)
            )
            for i in range(count)
        ], vague


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
