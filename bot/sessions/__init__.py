"""Guided sessions: a routine led step by step, on time, with its state in SQLite.

plan (routine -> timed steps) · state (pure transitions) · store (the sessions table's SQL)
· service (use cases) · timetable (the scheduler's source of timed sends) · replies (all
text). Plain-word requests are recognised in `bot.intents`, button data in `bot.callbacks`.
"""
