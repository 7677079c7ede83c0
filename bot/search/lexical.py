"""The lexical matcher: find the entry that answers a question from its words.

The index is built once at start-up. A question is normalised, rewritten (common misspellings,
plain synonyms), typo-corrected word by word against the content's vocabulary with rapidfuzz,
expanded with the concept layer from ``content/search/``, then scored against every entry's
fields at once through inverted indexes: how much of the question an entry explains
(weighted by field and by how rare each word is), and how completely the question contains
one of the entry's names (title or alias).

Own code rather than a search library: the scoring needs the concept layer, field weights and
the on-topic share that decides abstention, which BM25 libraries do not offer; rapidfuzz does
the typo distance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.catalog.entries import Catalog, Entry
from bot.catalog.files import ContentError
from bot.search.normalize import is_latin, normalize
from bot.search.phrases import PhraseIndex, Question, words_of
from bot.search.verdict import CHOICES_AT, SHORT_AT, Hit, Result, Vague, verdict_of
from bot.search.vocabulary import SEARCH_DIR, SearchData, load_search_data

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


class Searcher:
    """The search index over a catalog: build once, then ``search`` each question."""

    def __init__(self, catalog: Catalog, data: SearchData) -> None:
        self._data = data
        self._ids: list[str] = [entry.id for entry in catalog]
        self._position = {entry_id: index for index, entry_id in enumerate(self._ids)}
        frequency = self._index_fields([self._fields(entry) for entry in catalog])
        self._index_names(catalog)
        self._vocabulary = sorted(frequency, key=lambda w: (-frequency[w], w))
        unused = sorted({w for c in data.concepts for w in c.means if w not in frequency})
        if unused:
            raise ContentError(
                [f"content/search/concepts.yaml: no entry uses the word(s) {', '.join(unused)}"]
            )
        self._index_phrases(data)
        # Candidates for a typo of a given length: words at most two letters longer or shorter.
        # Stop words are candidates too, so "wich" and "shuold" become the words they are.
        extra = (data.stopwords | self._phrase_words) - frequency.keys()
        candidates = [*self._vocabulary, *sorted(extra)]
        self._by_length: dict[int, list[str]] = {}
        for length in range(1, 40):
            self._by_length[length] = [w for w in candidates if abs(len(w) - length) <= 2]

    def _index_fields(self, fields: list[dict[str, list[str]]]) -> dict[str, int]:
        """Word rarity and the word -> entries postings; returns how many entries use a word."""
        count = len(fields)
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
        return frequency

    def _index_names(self, catalog: Catalog) -> None:
        """Names (title and aliases): word -> [(name index, word weight)]; name -> entry."""
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

    def _index_phrases(self, data: SearchData) -> None:
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

    def _content_words(self, text: str) -> list[str]:
        return [w for w in words_of(text, self._data.rewrite) if w not in self._data.stopwords]

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

    def _question(self, text: str) -> Question:
        data = self._data
        words = words_of(text, data.rewrite)[: MAX_WORDS * 2]
        corrected: set[str] = set()
        for position, word in enumerate(words):
            if word in self._idf or word in data.stopwords or word in self._phrase_words:
                continue
            fixed = self._correct(word)
            if fixed is not None:
                words[position] = fixed
                corrected.add(fixed)
        bare = " ".join(word for word in words if word not in data.stopwords)
        return Question(words, corrected, f" {' '.join(words)} ", frozenset(words), f" {bare} ")

    def warnings(self, text: str) -> tuple[str, ...]:
        """The names of the warning signs a question mentions."""
        question = self._question(text)
        return self._warnings(question)

    def _warnings(self, question: Question) -> tuple[str, ...]:
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

    def _scores(self, question: Question) -> tuple[list[float], Vague] | None:
        """Every entry's score, and whether the question is on topic but says too little."""
        data = self._data
        content = list(dict.fromkeys(w for w in question.words if w not in data.stopwords))
        content = content[:MAX_WORDS]
        offtopic = sum(len(found) for found in self._offtopic_index.matches(question).values())
        tally = _Tally(len(self._ids), len(self._name_entry), unknown=offtopic * OFFTOPIC_WEIGHT)
        self._read_concepts(question, content, tally)
        if not content and tally.added:
            # Only stop words, but a known phrase ("what do I need", "get better"): the
            # phrase's meaning is the question.
            content, tally.added = sorted(tally.added), set()
        if not content and not offtopic:
            return None
        self._count_typed(question, content, tally)
        self._count_added(tally)
        count = len(self._ids)
        if tally.known + tally.extra <= 0:
            return [0.0] * count, ""
        named = [0.0] * count
        for number, mass in enumerate(tally.names):
            if mass:
                entry = self._name_entry[number]
                credit = min(1.0, mass / self._name_mass[number]) * self._name_credit[number]
                named[entry] = max(named[entry], credit)
        # How much of the question is about massage at all, and whether it says enough.
        said = tally.known + tally.extra
        on_topic = said / (said + tally.unknown)
        confidence = min(1.0, said / SPECIFIC_QUESTION)
        scale = 100 * on_topic * confidence / FIT_MAX
        share = 1 / tally.known if tally.known else 0.0
        vague: Vague = ""
        if tally.unknown == 0 and confidence < 1.0:
            vague = "general" if set(content) <= data.vague_when else "short"
        return [
            scale
            * (
                EXPLAINED_PART * min(1.0, tally.explained[i] * share)
                + NAMED_PART * named[i]
                + min(tally.boost[i], MAX_BOOST)
            )
            for i in range(count)
        ], vague

    def _read_concepts(self, question: Question, content: list[str], tally: _Tally) -> None:
        """The concepts the question's phrases name: words they add, entries they lift."""
        typed = set(content)
        for number, matched in sorted(self._concept_index.matches(question).items()):
            concept = self._data.concepts[number]
            said = {word for phrase in matched for word in phrase.words}
            tally.covered.update(said)
            tally.added.update(w for w in concept.means if w not in content)
            # A phrase that is the whole question ("how fast should I go") and names its
            # answer is the question's meaning: its words count in full and its entries get
            # the most a concept can give. (A concept without entries is only synonyms.)
            whole = bool(typed) and typed <= said and bool(concept.entries)
            if whole:
                tally.meant.update(concept.means)
            lift = MAX_BOOST if whole else CONCEPT_BOOST
            for entry_id in concept.entries:
                tally.boost[self._position[entry_id]] += lift

    def _count_typed(self, question: Question, content: list[str], tally: _Tally) -> None:
        """Credit each entry with the typed words it explains; weigh what no entry knows."""
        for word in content:
            # "computer" is another topic, unless a phrase made it ours ("shoulders hurt
            # from the computer").
            if word in self._data.offtopic_words and word not in tally.covered:
                tally.unknown += OFFTOPIC_WEIGHT
                continue
            weight = self._idf.get(word)
            if weight is None:
                # A word only the concept layer knows ("stress") is on topic, not unknown.
                if word in tally.covered:
                    tally.known += UNKNOWN_WEIGHT
                else:
                    tally.unknown += UNKNOWN_WEIGHT
                continue
            if word in question.corrected:
                weight *= CORRECTED_FACTOR
            tally.known += weight
            self._credit(word, weight, 1.0, tally)

    def _count_added(self, tally: _Tally) -> None:
        """Credit the words the concepts added, at a share unless they are the whole meaning."""
        for word in tally.added:
            factor = 1.0 if word in tally.meant else CONCEPT_FACTOR
            weight = self._idf[word] * factor
            tally.extra += weight
            self._credit(word, weight, factor, tally)

    def _credit(self, word: str, weight: float, name_factor: float, tally: _Tally) -> None:
        for index, field_weight in self._postings.get(word, ()):
            tally.explained[index] += weight * field_weight
        for number, word_weight in self._name_postings.get(word, ()):
            tally.names[number] += word_weight * name_factor


class _Tally:
    """What one question adds up to while it is scored against every entry."""

    def __init__(self, entries: int, names: int, *, unknown: float) -> None:
        self.boost = [0.0] * entries
        self.explained = [0.0] * entries
        self.names = [0.0] * names
        self.added: set[str] = set()
        self.meant: set[str] = set()  # words a phrase that is the whole question means
        self.covered: set[str] = set()
        self.known = 0.0
        self.extra = 0.0
        self.unknown = unknown


def build_searcher(catalog: Catalog, directory: Path = SEARCH_DIR) -> Searcher:
    """Load the concept layer and index the catalog (once, at start-up)."""
    return Searcher(catalog, load_search_data(directory, catalog))
