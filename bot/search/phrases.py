"""Phrases of the vocabulary files, and a question as the matcher sees it.

A phrase is words that must appear together ("knot between") or anywhere
("shoulder + tense"); ``@group`` names in a phrase expand to one phrase per member.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.search.normalize import normalize, stem


@dataclass
class Question:
    """A question's stemmed words (typos corrected), as a sequence and as a set."""

    words: list[str]
    corrected: set[str]
    sequence: str
    present: frozenset[str]
    bare: str = ""


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

    def matches(self, question: Question) -> dict[int, list[Phrase]]:
        """The keys of the phrases found in the question, with the phrases found."""
        found: dict[int, list[Phrase]] = {}
        for word in question.present:
            for key, phrase in self._by_word.get(word, ()):
                if phrase.found_in(question.sequence, question.present, question.bare):
                    found.setdefault(key, []).append(phrase)
        return found


def words_of(text: str, rewrite: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The stemmed words of ``text`` after the rewrite table (misspellings, plain synonyms)."""
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


def expand_groups(text: str, groups: Mapping[str, list[str]], problems: list[str]) -> list[str]:
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


def make_phrase(
    text: str,
    rewrite: Mapping[str, tuple[str, ...]] | None = None,
    stopwords: frozenset[str] = frozenset(),
) -> Phrase:
    rewrite = rewrite or {}
    if "+" in text:
        words = tuple(word for part in text.split("+") for word in words_of(part, rewrite))
        return Phrase(words, anywhere=True)
    words = tuple(words_of(text, rewrite))
    bare = tuple(word for word in words if word not in stopwords)
    if len(bare) < 2 or bare == words or MEANINGFUL & set(words):
        bare = ()
    return Phrase(words, bare=bare)


def make_phrases(
    texts: list[str],
    groups: Mapping[str, list[str]],
    problems: list[str],
    rewrite: Mapping[str, tuple[str, ...]] | None = None,
    stopwords: frozenset[str] = frozenset(),
) -> tuple[Phrase, ...]:
    return tuple(
        make_phrase(expanded, rewrite, stopwords)
        for text in texts
        for expanded in expand_groups(text, groups, problems)
    )
