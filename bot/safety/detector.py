"""Recognise warning signs and medical conditions in what people type, from content data.

The vocabulary lives in ``content/safety/signs.yaml`` (read and validated once at start-up):
each sign has a name, the safety entries that answer it, how urgent it is, the phrases that
mean it (``when``) and phrases that show the words mean something else (``unless``: the
shingles stroke, not shingles the illness). A phrase does not count when a negation ("no",
"not", "without", "doesn't") comes just before it in the same clause.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.catalog.files import CONTENT_DIR, ContentError, read_mapping
from bot.safety.patterns import Pattern, Sentence, compile_pattern, expand, sentences
from bot.search.normalize import normalize

SIGNS_FILE = CONTENT_DIR / "safety" / "signs.yaml"
SOURCE = "content/safety/signs.yaml"
# A pasted essay is read up to here: enough for any real description of symptoms.
MAX_CHARS = 2000
NEGATION_REACH = 3  # words before a phrase where a negation cancels it
TYPO_MIN_TARGET = 7  # only long sign words are typo targets ("pregant", "tinglng")
TYPO_MIN_WORD = 6
SIGN_FIELDS = ("name", "entries", "level", "when", "unless")


@dataclass(frozen=True)
class Sign:
    """A warning sign or condition: what it is called, what answers it, how it is said."""

    name: str
    entries: tuple[str, ...]
    level: str
    when: tuple[Pattern, ...]
    unless: tuple[Pattern, ...] = ()


@dataclass(frozen=True)
class SafetyMatch:
    """A sign found in a text: its name, the entry to lead with, and the words that said it."""

    sign: str
    entry: str
    entries: tuple[str, ...]
    level: str
    said: str


@dataclass(frozen=True)
class SignData:
    """Everything in ``signs.yaml``, compiled."""

    levels: tuple[str, ...]
    signs: tuple[Sign, ...]
    negations: frozenset[str] = frozenset()
    hedges: frozenset[str] = frozenset()
    rewrite: Mapping[str, str] = field(default_factory=dict)
    not_typos: frozenset[str] = frozenset()


def _strings(raw: object, where: str, problems: list[str]) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        problems.append(f"{where}: expected a list of texts (quote yes, no, on and off)")
        return []
    return [item.strip() for item in raw if item.strip()]


def _patterns(
    texts: Iterable[str], groups: Mapping[str, list[str]], problems: list[str], where: str
) -> tuple[Pattern, ...]:
    out: list[Pattern] = []
    for text in texts:
        for expanded in expand(text, groups, problems, where):
            pattern = compile_pattern(expanded, problems, where)
            if pattern is not None:
                out.append(pattern)
    return tuple(out)


def _sign(
    raw: object,
    number: int,
    levels: Sequence[str],
    groups: Mapping[str, list[str]],
    entry_ids: Container[str] | None,
    problems: list[str],
) -> Sign | None:
    where = f"{SOURCE} sign {number}"
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected name, entries, level and when")
        return None
    name = str(raw.get("name") or "").strip()
    where = f"{SOURCE} sign {name or number}"
    unknown = sorted(
        str(key) for key in raw if key not in ("name", "entries", "level", "when", "unless")
    )
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)}")
    entries = _strings(raw.get("entries"), f"{where} entries", problems)
    level = str(raw.get("level") or "")
    when = _patterns(_strings(raw.get("when"), f"{where} when", problems), groups, problems, where)
    unless = _patterns(
        _strings(raw.get("unless"), f"{where} unless", problems), groups, problems, where
    )
    if not name:
        problems.append(f"{where}: needs a name")
    if not entries:
        problems.append(f"{where}: needs the entries that answer it")
    if level not in levels:
        problems.append(f"{where}: level must be one of {', '.join(levels)}")
    if not when:
        problems.append(f"{where}: needs 'when' phrases")
    if entry_ids is not None:
        problems.extend(
            f"{where}: entry {entry_id} does not exist"
            for entry_id in entries
            if entry_id not in entry_ids
        )
    if not name or not entries or level not in levels or not when:
        return None
    return Sign(name, tuple(entries), level, when, unless)


def load_signs(path: Path = SIGNS_FILE, entry_ids: Container[str] | None = None) -> SignData:
    """Read and check ``signs.yaml``; ``entry_ids`` (the catalog) checks every entry named.

    Raises:
        ContentError: naming every problem found.
    """
    problems: list[str] = []
    data = read_mapping(path, SOURCE, problems)
    if problems:
        raise ContentError(problems)
    known = ("levels", "negations", "hedges", "rewrite", "not_typos", "groups", "signs")
    unknown = sorted(str(key) for key in data if key not in known)
    if unknown:
        problems.append(f"{SOURCE}: unknown top-level field(s) {', '.join(unknown)}")
    levels = tuple(_strings(data.get("levels"), f"{SOURCE} levels", problems))
    if not levels:
        problems.append(f"{SOURCE}: levels must list the urgency levels, most urgent first")
    groups_raw = data.get("groups") or {}
    groups: dict[str, list[str]] = {}
    if isinstance(groups_raw, dict):
        for name, members in groups_raw.items():
            groups[str(name)] = _strings(members, f"{SOURCE} group {name}", problems)
    else:
        problems.append(f"{SOURCE}: groups must map names to word lists")
    rewrite_raw = data.get("rewrite") or {}
    rewrite: dict[str, str] = {}
    if isinstance(rewrite_raw, dict):
        rewrite = {normalize(str(k)): normalize(str(v)) for k, v in rewrite_raw.items()}
    else:
        problems.append(f"{SOURCE}: rewrite must map words to words")
    signs_raw = data.get("signs")
    if not isinstance(signs_raw, list) or not signs_raw:
        problems.append(f"{SOURCE}: signs must be a non-empty list")
        signs_raw = []
    signs = [
        _sign(raw, number, levels, groups, entry_ids, problems)
        for number, raw in enumerate(signs_raw, start=1)
    ]
    names = [sign.name for sign in signs if sign is not None]
    problems.extend(
        f"{SOURCE}: sign name {name!r} is used twice"
        for name in sorted({n for n in names if names.count(n) > 1})
    )
    negations, hedges, not_typos = (
        frozenset(normalize(w) for w in _strings(data.get(key), f"{SOURCE} {key}", problems))
        for key in ("negations", "hedges", "not_typos")
    )
    if problems:
        raise ContentError(problems)
    return SignData(
        levels=levels,
        signs=tuple(sign for sign in signs if sign is not None),
        negations=negations,
        hedges=hedges,
        rewrite=rewrite,
        not_typos=not_typos,
    )


class SafetyDetector:
    """Finds the signs in a text; build once at start-up, then call ``detect`` per message."""

    def __init__(self, data: SignData) -> None:
        self._data = data
        self._rank = {level: number for number, level in enumerate(data.levels)}
        vocabulary = {
            word
            for sign in data.signs
            for pattern in (*sign.when, *sign.unless)
            for phrase in pattern.parts
            for step in phrase.steps
            for word in step.literals
        }
        self._vocabulary = frozenset(vocabulary)
        # Per sign, its phrases filed under the words they start with, so a sentence only
        # checks the phrases whose first word it has (there are over a thousand).
        self._index = [_PatternIndex(sign.when) for sign in data.signs]
        self._unless = [_PatternIndex(sign.unless) for sign in data.signs]
        self._targets = sorted(w for w in vocabulary if len(w) >= TYPO_MIN_TARGET and w.isalpha())

    @property
    def levels(self) -> tuple[str, ...]:
        return self._data.levels

    def detect(self, text: str) -> list[SafetyMatch]:
        """The signs ``text`` mentions, most urgent first (then in file order), one per sign."""
        corrected = [self._corrected(s) for s in sentences(text[:MAX_CHARS], self._data.rewrite)]
        parsed = [(sentence, sentence.present) for sentence in corrected]
        found: list[tuple[int, int, SafetyMatch]] = []
        for order, sign in enumerate(self._data.signs):
            said = self._said(order, parsed)
            if said is not None:
                match = SafetyMatch(sign.name, sign.entries[0], sign.entries, sign.level, said)
                found.append((self._rank[sign.level], order, match))
        return [match for _, _, match in sorted(found, key=lambda item: item[:2])]

    def entries(self, text: str) -> list[str]:
        """The safety entries answering ``text``, the one to lead with first."""
        return lead_entries(self.detect(text))

    def _said(self, order: int, parsed: Sequence[tuple[Sentence, frozenset[str]]]) -> str | None:
        for sentence, present in parsed:
            when = self._index[order].candidates(present, sentence.words)
            if not when:
                continue
            unless = self._unless[order].candidates(present, sentence.words)
            if any(self._found(pattern, sentence, negatable=False) for pattern in unless):
                continue
            for pattern in when:
                said = self._found(pattern, sentence, negatable=True)
                if said:
                    return said
        return None

    def _found(self, pattern: Pattern, sentence: Sentence, *, negatable: bool) -> str:
        """The words that matched every part of the pattern (not negated), or ""."""
        said: list[str] = []
        for phrase in pattern.parts:
            spans = phrase.find(sentence.words)
            if negatable:
                spans = [span for span in spans if not self._negated(sentence, span[0])]
            if not spans:
                return ""
            start, end = spans[0]
            said.append(" ".join(sentence.words[start:end]))
        return " + ".join(said)

    def _negated(self, sentence: Sentence, start: int) -> bool:
        clause = sentence.clauses[start]
        for position in range(max(0, start - NEGATION_REACH), start):
            word = sentence.words[position]
            if sentence.clauses[position] != clause or word not in self._data.negations:
                continue
            # "not sure if she's pregnant", "don't know whether it's a clot": a doubt, not a no.
            after = sentence.words[position + 1 : position + 3]
            if not any(w in self._data.hedges for w in after):
                return True
        return False

    def _corrected(self, sentence: Sentence) -> Sentence:
        """Long misspelt words turned into the sign words they nearly are ("pregant")."""
        words = list(sentence.words)
        for position, word in enumerate(words):
            if (
                len(word) < TYPO_MIN_WORD
                or word in self._vocabulary
                or word in self._data.not_typos
                or not word.isalpha()
            ):
                continue
            found = process.extract(
                word, self._targets, scorer=OSA.distance, score_cutoff=1, limit=3
            )
            same_start = [f[0] for f in found if f[0][0] == word[0]]
            if same_start:
                words[position] = same_start[0]
        return Sentence(tuple(words), sentence.clauses)


class _PatternIndex:
    """Patterns filed under the literal words their first phrase starts with."""

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        self._by_word: dict[str, list[tuple[int, Pattern]]] = {}
        self._loose: list[tuple[int, Pattern]] = []  # starting with a prefix ("tingl*")
        for number, pattern in enumerate(patterns):
            first = pattern.parts[0].steps[0]
            if first.prefixes:
                self._loose.append((number, pattern))
            for word in first.words:
                self._by_word.setdefault(word, []).append((number, pattern))

    def candidates(self, present: frozenset[str], words: Sequence[str]) -> list[Pattern]:
        """The patterns that may match a sentence, in file order."""
        found = dict(self._loose)
        for word in present:
            found.update(self._by_word.get(word, ()))
        return [
            pattern for _, pattern in sorted(found.items()) if pattern.could_match(present, words)
        ]


def lead_entries(matches: Iterable[SafetyMatch]) -> list[str]:
    """Entries of the matches, most urgent sign's first, without repeats."""
    return list(dict.fromkeys(entry for match in matches for entry in match.entries))


def build_detector(
    entry_ids: Container[str] | None = None, path: Path = SIGNS_FILE
) -> SafetyDetector:
    """Load the sign vocabulary (once, at start-up) and check the entries it names."""
    return SafetyDetector(load_signs(path, entry_ids))
