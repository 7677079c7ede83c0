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


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a key given twice: YAML would keep only the last one, so a
    second ``unless:`` or ``aliases:`` under an entry would silently drop the first."""

    def construct_mapping(
        self, node: yaml.MappingNode, deep: bool = False
    ) -> dict[object, object]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path, source: str, problems: list[str]) -> object:
    """The parsed YAML document at ``path``, or None with a problem noted when unreadable
    (or when a mapping gives the same key twice).

    ``source`` is how problems name the file, e.g. "content/search/words.yaml".
    """
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
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
