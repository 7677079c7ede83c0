"""Question search: from the words someone typed to the entries that answer them.

- ``normalize``: case, accents, punctuation and word endings (a light stemmer).
- ``phrases``: the vocabulary's phrases and a question as the matcher sees it.
- ``vocabulary``: ``content/search/*.yaml`` (synonyms, concepts, warning signs) loaded.
- ``questions``: ``content/search/questions.yaml``, people's questions filed by entry.
- ``lexical``: the word matcher: typo correction, concepts, scoring every entry.
- ``semantic``: the sentence-embedding model (``model/``) and the entries' vectors.
- ``hybrid``: both sides fused, then answer / did-you-mean / "I don't know" (``build_searcher``).
- ``verdict``: scored hits, the result, and the word matcher's own thresholds.
"""
