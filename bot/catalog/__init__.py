"""The content catalog: entries as data, loaded and validated once, and their cards.

- ``files``: where content lives and the project's one YAML reader (with ``ContentError``).
- ``entries``: ``Entry``, ``RoutineStep``, ``Section`` and ``Catalog``.
- ``loader``: read ``content/*.yaml`` and validate every entry (``load_catalog``).
- ``cards``: an entry rendered as an HTML card.
- ``browse``: cards with their buttons, and the /techniques menus.
"""
