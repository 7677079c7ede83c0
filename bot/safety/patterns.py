"""The small phrase language of ``content/safety/signs.yaml``, and how a text is split to match it.

Own code rather than a library: the phrases need word alternatives, short gaps, "both parts
somewhere in the same sentence", and negation scoped to a clause; regular expressions could
express the first three but not readably in a content file, and no kept library matches
phrases with negation scope (spaCy's matcher would, at the cost of a model download and
hundreds of megabytes for a few hundred phrases).

A phrase, as written in the YAML:

- ``blood clot``: these words, one after the other;
- ``numb|numbness``: either word at this place; ``tingl*``: any word starting with "tingl";
- ``@legs``: any member of the word group ``legs`` (a member may be several words);
- ``cant feel .. @legs``: up to three other words may come between;
- ``@weak + @legs``: both parts somewhere in the same sentence, in any order.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.search.normalize import normalize

MAX_GAP = 3  # the words ".." may stand for
_GROUP = re.compile(r"@([a-z][a-z_-]*)")
# Sentence ends, then clause breaks: negation ("no fever, but numb legs") stops at a clause.
_SENTENCE = re.compile(r"[.!?;\n]+")
_CLAUSE = re.compile(r"[,:()\[\]]+|\s[-–—]+\s")
CLAUSE_WORDS = frozenset({"but", "although", "though", "however", "except", "whereas", "yet"})


@dataclass(frozen=True)
class Step:
    """One place in a phrase: the words accepted there, or a gap of a few words."""

    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    gap: bool = False

    def accepts(self, word: str) -> bool:
        return word in self.words or any(word.startswith(prefix) for prefix in self.prefixes)

    @property
    def literals(self) -> frozenset[str]:
        return self.words


@dataclass(frozen=True)
class Phrase:
    """Words in order, some with alternatives, perhaps with gaps."""

    steps: tuple[Step, ...]

    def find(self, words: Sequence[str]) -> list[tuple[int, int]]:
        """Every (start, end) where the phrase matches ``words``; end is exclusive."""
        found: list[tuple[int, int]] = []
        for start in range(len(words)):
            end = self._match(words, start, 0)
            if end is not None:
                found.append((start, end))
        return found

    def _match(self, words: Sequence[str], position: int, step_index: int) -> int | None:
        if step_index == len(self.steps):
            return position
        step = self.steps[step_index]
        if step.gap:
            for skip in range(MAX_GAP + 1):
                if position + skip > len(words):
                    break
                end = self._match(words, position + skip, step_index + 1)
                if end is not None:
                    return end
            return None
        if position < len(words) and step.accepts(words[position]):
            return self._match(words, position + 1, step_index + 1)
        return None


@dataclass(frozen=True)
class Pattern:
    """One or more phrases that must all be found in the same sentence."""

    text: str
    parts: tuple[Phrase, ...]

    def could_match(self, present: frozenset[str], words: Sequence[str]) -> bool:
        """A quick check before ``find``: every part's first word is in the sentence."""
        for phrase in self.parts:
            first = phrase.steps[0]
            if first.words & present:
                continue
            if first.prefixes and any(first.accepts(word) for word in words):
                continue
            return False
        return True


def _step(token: str) -> Step:
    if token == "..":
        return Step(gap=True)
    words: set[str] = set()
    prefixes: list[str] = []
    for alternative in token.split("|"):
        if alternative.endswith("*"):
            prefixes.append(normalize(alternative[:-1]))
        else:
            words.add(normalize(alternative))
    return Step(frozenset(w for w in words if w), tuple(p for p in prefixes if p))


def _phrase(text: str, problems: list[str], where: str) -> Phrase | None:
    tokens = text.split()
    if not tokens or tokens[0] == ".." or tokens[-1] == "..":
        problems.append(f"{where}: {text!r} must start and end with a word")
        return None
    steps: list[Step] = []
    for token in tokens:
        step = _step(token)
        if not step.gap and not step.words and not step.prefixes:
            problems.append(f"{where}: {text!r} has an empty word")
            return None
        if step.gap and steps and steps[-1].gap:
            problems.append(f"{where}: {text!r} has two gaps in a row")
            return None
        steps.append(step)
    return Phrase(tuple(steps))


def expand(
    text: str, groups: Mapping[str, Sequence[str]], problems: list[str], where: str
) -> list[str]:
    """``@numb + @legs`` -> one pattern text per combination of the groups' members.

    A group of single words becomes one place with alternatives ("leg|legs|foot"); only
    groups with several-word members ("pins and needles") multiply the patterns.
    """

    def alternatives(match: re.Match[str]) -> str:
        members = groups.get(match.group(1), ())
        if members and all(len(member.split()) == 1 for member in members):
            return "|".join(members)
        return match.group(0)

    text = _GROUP.sub(alternatives, text)
    names = _GROUP.findall(text)
    if not names:
        return [text]
    missing = sorted({name for name in names if name not in groups})
    if missing:
        problems.append(f"{where}: no word group named @{', @'.join(missing)}")
        return []
    pieces = _GROUP.split(text)  # literal, name, literal, name, ..., literal
    out: list[str] = []
    for members in itertools.product(*(groups[name] for name in names)):
        parts = [pieces[0]]
        for member, literal in zip(members, pieces[2::2], strict=True):
            parts += [member, literal]
        out.append("".join(parts))
    return out


def compile_pattern(text: str, problems: list[str], where: str) -> Pattern | None:
    """A pattern text without groups (see ``expand``) as phrases, or None with a problem."""
    parts: list[Phrase] = []
    for part in text.split(" + "):
        phrase = _phrase(part.strip(), problems, where)
        if phrase is None:
            return None
        parts.append(phrase)
    return Pattern(text, tuple(parts))


@dataclass(frozen=True)
class Sentence:
    """A sentence's words and, for each word, which clause of the sentence it is in."""

    words: tuple[str, ...]
    clauses: tuple[int, ...]

    @property
    def present(self) -> frozenset[str]:
        return frozenset(self.words)


def sentences(text: str, rewrite: Mapping[str, str] | None = None) -> list[Sentence]:
    """Split a message into sentences of normalised words, marking clause breaks."""
    rewrite = rewrite or {}
    out: list[Sentence] = []
    for raw in _SENTENCE.split(text):
        words: list[str] = []
        clauses: list[int] = []
        clause = 0
        for piece in _CLAUSE.split(raw):
            for word in normalize(piece).split():
                if word in CLAUSE_WORDS:
                    clause += 1
                for part in rewrite.get(word, word).split():
                    words.append(part)
                    clauses.append(clause)
            clause += 1
        if words:
            out.append(Sentence(tuple(words), tuple(clauses)))
    return out
