"""Turn what people type into comparable words: case, accents, punctuation, emoji, word endings."""

from __future__ import annotations

import re
import unicodedata

# A question is answered from its beginning: a pasted essay must not cost more than a question.
MAX_QUESTION_CHARS = 400

_APOSTROPHES = str.maketrans("", "", "'’‘`´ʼ")
_NOT_WORD = re.compile(r"[\W_]+")
_LATIN_LETTER = re.compile(r"[a-z]")
_UNDOUBLE_KEEP = frozenset("lsz")


def normalize(text: str) -> str:
    """Lower-case, accent-free, punctuation- and emoji-free text with single spaces.

    Letters of other scripts are kept (as words nobody's content uses), so a question in
    Russian stays recognisable as "not English" instead of turning into nothing.
    """
    text = unicodedata.normalize("NFKC", text[:MAX_QUESTION_CHARS]).casefold()
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    return _NOT_WORD.sub(" ", text.translate(_APOSTROPHES)).strip()


def is_latin(normalized: str) -> bool:
    """Whether the words are mostly written in Latin letters (else: another language)."""
    letters = [char for char in normalized if char.isalpha()]
    if not letters:
        return True
    latin = sum(1 for char in letters if _LATIN_LETTER.match(char))
    return latin * 2 >= len(letters)


def _undouble(stem: str) -> str:
    # rubbing -> rubb -> rub, but pressing -> press and rolling -> roll
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in _UNDOUBLE_KEEP:
        return stem[:-1]
    return stem


def stem(word: str) -> str:
    """A light English stemmer: enough that knots/knot, pressing/press, kneading/knead meet.

    Both the content and the question go through it, so it only needs to be consistent,
    not linguistically right.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("ness") and len(word) > 6:
        word = word[:-4]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) >= 6:
        word = _undouble(word[:-3])
    elif word.endswith("ed") and len(word) >= 5:
        word = _undouble(word[:-2])
    elif word.endswith("ly") and len(word) >= 6:
        word = word[:-2]
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """The stemmed words of a text, in order (stop words included)."""
    return [stem(word) for word in normalize(text).split()]
