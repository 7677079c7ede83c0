"""Ask: answer a free-text question with warning signs first, then an entry, choices or
"I don't know".

- ``service``: the use case (``Asker``), over the search and the catalog.
- ``replies``: what it says (fixed texts, pointers to sessions and reminders, buttons).
"""
