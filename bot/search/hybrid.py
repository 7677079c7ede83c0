"""The search the bot uses: the lexical matcher and the semantic model, fused, then a verdict.

Each entry gets ``lexical_share`` of its lexical score (0-100) plus the rest of its semantic
score: the cosine of the question to the entry's nearest text, mapped linearly from
``semantic_floor`` (0) to ``semantic_top`` (100); a question all but identical to one of the
entry's texts gets ``near_exact_bonus`` on top. The weights and every threshold were chosen by
grid search on the tuning sets (``bench/search.py --tune hybrid``; figures in BENCHMARKS.md).
Reciprocal rank fusion of the same two sides (``rank_k``), its thresholds tuned the same way,
came out behind (92.4 % against 96.5 % top-1 pooled, BENCHMARKS.md): ranks throw away how
sure each side is, which the near-exact rule and the thresholds for abstaining build on.

The semantic side also knows questions the bot cannot answer (foot, baby or self-massage,
tipping, becoming a therapist: ``offtopic`` in questions.yaml); a question nearer to those
than to any entry gets "I don't know". Warning signs and "too general" questions are read by
the lexical side, as before. Without the model the lexical matcher answers alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.catalog.entries import Catalog
from bot.search.lexical import LexicalMatcher, Reading, build_lexical
from bot.search.questions import QuestionFile, load_questions
from bot.search.semantic import (
    MODEL_SHA256,
    Embedder,
    SemanticIndex,
    default_cache_dir,
    load_embedder,
)
from bot.search.verdict import MAX_CHOICES, Hit, Result, Verdict
from bot.search.verdict import choices as lexical_choices
from bot.search.verdict import verdict_of as lexical_verdict
from bot.search.vocabulary import SEARCH_DIR


@dataclass(frozen=True)
class Fusion:
    """How the two sides' scores are combined and when an answer is sure enough."""

    lexical_share: float = 0.5
    semantic_floor: float = 0.35
    semantic_top: float = 0.9
    answer_at: float = 45.0  # a fused top score from here, clearly ahead, is answered
    clear_lead: float = 3.0
    choices_at: float = 35.0  # from here, close candidates are offered
    close_to_top: float = 12.0
    # A question all but the same as one of an entry's texts (cosine from here, the nearest
    # entry only) is that entry's question, whatever single words say elsewhere: this many
    # points on top.
    near_exact: float = 0.9
    near_exact_bonus: float = 15.0
    offtopic_margin: float = 0.03  # nearer to an off-topic question by this much: unknown
    # Off-topic words refuse a question only while the word matcher itself scores no entry
    # this high ("traps tight from the gym" stays ours, "step by step foot massage" does not).
    offtopic_words_below: float = 44.0
    # Reciprocal rank fusion instead (1/(k + rank) from each side, scaled to 100) when above
    # zero: measured against the linear fusion in bench/search.py (BENCHMARKS.md).
    rank_k: int = 0
    # The lexical side's judgements: off-topic words ("foot massage") refuse a question, and
    # a question that says too little gets its starting points. Off only to measure the
    # semantic model alone.
    lexical_guards: bool = True


FUSION = Fusion()


def rank_fuse(lexical: Sequence[float], semantic: Sequence[float], k: int) -> list[float]:
    """Reciprocal rank fusion, scaled so that first on both sides scores 100."""
    fused = [0.0] * len(semantic)
    for side in (lexical, semantic):
        order = sorted(range(len(side)), key=lambda i: -side[i])
        for rank, index in enumerate(order):
            if side[index] > 0:
                fused[index] += 100 * (k + 1) / (2 * (k + 1 + rank))
    return fused


def fuse(reading: Reading, similarities: Sequence[float], fusion: Fusion = FUSION) -> list[float]:
    """Every entry's fused score, 0 to 100, in catalog order."""
    lexical = reading.scores or (0.0,) * len(similarities)
    if fusion.rank_k > 0:
        return rank_fuse(lexical, similarities, fusion.rank_k)
    span = fusion.semantic_top - fusion.semantic_floor
    share = fusion.lexical_share
    nearest = max(similarities, default=0.0)
    return [
        min(
            100.0,
            share * lex
            + (1 - share) * 100 * min(1.0, max(0.0, (cos - fusion.semantic_floor) / span))
            # Only the nearest entry: "give a back massage" is near both "give someone a back
            # massage" (full back) and "give a lower back massage"; the bonus picks one.
            + (fusion.near_exact_bonus if cos >= fusion.near_exact and cos == nearest else 0.0),
        )
        for lex, cos in zip(lexical, similarities, strict=True)
    ]


def verdict_for(ranked: Sequence[Hit], fusion: Fusion = FUSION) -> Verdict:
    """Answer, offer choices, or abstain, from the fused scores."""
    if not ranked or ranked[0].score < fusion.choices_at:
        return "unknown"
    runner_up = ranked[1].score if len(ranked) > 1 else 0
    if ranked[0].score >= fusion.answer_at and ranked[0].score - runner_up >= fusion.clear_lead:
        return "answer"
    return "choose"


def close_choices(ranked: Sequence[Hit], fusion: Fusion = FUSION) -> list[Hit]:
    """The candidates near the top, for "did you mean"."""
    if not ranked:
        return []
    return [hit for hit in ranked if ranked[0].score - hit.score <= fusion.close_to_top]


@dataclass(frozen=True)
class Semantic:
    """The semantic side: the entries' index and the off-topic questions' vectors."""

    index: SemanticIndex
    offtopic: SemanticIndex | None


class Searcher:
    """Answers a question from both sides; the lexical side alone when there is no model."""

    def __init__(
        self,
        lexical: LexicalMatcher,
        entry_ids: Sequence[str],
        semantic: Semantic | None = None,
        fusion: Fusion = FUSION,
    ) -> None:
        self.lexical = lexical
        self.semantic = semantic
        self.fusion = fusion
        self._ids = list(entry_ids)

    @property
    def warning_answer(self) -> tuple[str, ...]:
        return self.lexical.warning_answer

    def warnings(self, text: str) -> tuple[str, ...]:
        return self.lexical.warnings(text)

    def verdict_of(self, ranked: Sequence[Hit]) -> Verdict:
        """The verdict for hits ranked by this searcher (after the caller removed some)."""
        return verdict_for(ranked, self.fusion) if self.semantic else lexical_verdict(ranked)

    def choices(self, ranked: Sequence[Hit]) -> tuple[Hit, ...]:
        """The close candidates worth offering, at most three."""
        if self.semantic is None:
            return lexical_choices(ranked)
        return tuple(close_choices(ranked, self.fusion)[:MAX_CHOICES])

    def search(self, text: str, *, limit: int = 5) -> Result:
        """Score every entry against a question and decide how to answer it."""
        if self.semantic is None:
            return self.lexical.search(text, limit=limit)
        reading = self.read(text)
        if reading.scores is None and not reading.normalized:
            return Result(text, "empty", (), reading.warnings, reading.foreign)
        if reading.foreign:
            return Result(text, "unknown", (), reading.warnings, foreign=True)
        ranked, verdict = self.decide(text, reading)
        return Result(text, verdict, tuple(ranked[:limit]), reading.warnings, reading.foreign)

    def read(self, text: str) -> Reading:
        """The lexical side's reading of a question."""
        return self.lexical.read(text)

    def similarities(self, text: str) -> tuple[list[float], float]:
        """The question's cosine to each entry (catalog order) and to the nearest off-topic
        question (-1 when there are none): one model run."""
        assert self.semantic is not None
        question = self.semantic.index.embedder.embed([self.lexical.spelled(text)])[0]
        offtopic = self.semantic.offtopic
        nearest_offtopic = max(offtopic.similarities_of(question)) if offtopic else -1.0
        return self.semantic.index.similarities_of(question), nearest_offtopic

    def decide(self, text: str, reading: Reading) -> tuple[list[Hit], Verdict]:
        """Fused, ranked hits and the verdict for one question."""
        similarities, nearest_offtopic = self.similarities(text)
        scores = fuse(reading, similarities, self.fusion)
        ranked = sorted(
            (Hit(self._ids[i], round(score)) for i, score in enumerate(scores) if score > 0),
            key=lambda hit: -hit.score,
        )
        worded_offtopic = (
            reading.offtopic
            and self.fusion.lexical_guards
            and max(reading.scores or (0.0,)) < self.fusion.offtopic_words_below
        )
        if worded_offtopic or nearest_offtopic >= max(similarities) + self.fusion.offtopic_margin:
            # Another topic by its words ("foot massage"), or nearer to a question the bot
            # cannot answer than to any entry.
            return ranked, "unknown"
        verdict = verdict_for(ranked, self.fusion)
        if verdict == "unknown" and reading.vague and self.fusion.lexical_guards:
            # "back massage", "pressure": the lexical side's starting points or nearest
            # entries are the better offer for a question that says too little.
            return self.lexical.decide(self.lexical.ranked(reading.scores or ()), reading.vague)
        if verdict == "choose":
            ranked = close_choices(ranked, self.fusion) or ranked
        return ranked, verdict


def build_semantic(
    catalog: Catalog, questions: QuestionFile, embedder: Embedder, cache: Path | None
) -> Semantic:
    """Embed every entry's texts and the off-topic questions (or read them from ``cache``)."""
    index = SemanticIndex.build(embedder, catalog, questions.by_entry, cache)
    offtopic = questions.offtopic
    return Semantic(
        index, SemanticIndex.of_texts(embedder, offtopic, None, cache) if offtopic else None
    )


def build_searcher(
    catalog: Catalog,
    directory: Path = SEARCH_DIR,
    *,
    semantic: bool = True,
    model: Path | None = None,
    cache: Path | None = None,
    sha256: str | None = MODEL_SHA256,
) -> Searcher:
    """Load the vocabulary and questions, and index the catalog (once, at start-up).

    ``semantic`` False, or a model that cannot be loaded, gives the lexical matcher alone.
    ``cache`` keeps the entry vectors between runs (default: the user's cache folder).
    """
    lexical = build_lexical(catalog, directory)
    questions = load_questions(catalog, directory)
    embedder = load_embedder(model, sha256=sha256) if semantic else None
    side = None
    if embedder is not None:
        side = build_semantic(catalog, questions, embedder, cache or default_cache_dir())
    return Searcher(lexical, [entry.id for entry in catalog], side)
