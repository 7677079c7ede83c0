"""Content files: where they live and the one YAML reader every content loader uses.

Every loader (entries, the search vocabulary, reminder lines) collects all the problems it
finds and raises one ``ContentError``, so a content editor sees every mistake in one run.
"""

from __future__ import annotations

from pathlib import Path

import yaml

CONTENT_DIR = Path(__file__).resolve().parent.parent.parent / "content"


class ContentError(Exception):
    """The content folder holds something the bot cannot serve; lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_yaml(path: Path, source: str, problems: list[str]) -> object:
    """The parsed YAML document at ``path``, or None with a problem noted when unreadable.

    ``source`` is how problems name the file, e.g. "content/search/words.yaml".
    """
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problems.append(f"{source}: cannot be read as YAML: {error}")
        return None


def read_mapping(path: Path, source: str, problems: list[str]) -> dict[str, object]:
    """Like ``read_yaml`` for a file whose top level must be a mapping; {} when it is not."""
    problems_before = len(problems)
    data = read_yaml(path, source, problems)
    if isinstance(data, dict):
        return {str(key): value for key, value in data.items()}
    if len(problems) == problems_before:
        problems.append(f"{source}: expected a mapping")
    return {}
