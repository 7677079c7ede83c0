"""Question search: from the words someone typed to the entries that answer them.

- ``normalize``: case, accents, punctuation and word endings (a light stemmer).
- ``phrases``: the vocabulary's phrases and a question as the matcher sees it.
- ``vocabulary``: ``content/search/*.yaml`` (synonyms, concepts, warning signs) loaded.
- ``lexical``: the index over the catalog and the word-based scoring (``build_searcher``).
- ``verdict``: scored hits, and answer / did-you-mean / "I don't know".
"""
