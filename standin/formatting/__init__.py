"""Text formatting as Telegram does it (a port of tdlib's parse_html / parse_markdown /
parse_markdown_v2): one module per parse mode, the shared entity arithmetic in ``entities``,
and :func:`format_text` (text and parse_mode in, plain text and entities out) in ``text``.
"""

from standin.formatting.text import auto_entities, entities_json, format_text

__all__ = ["auto_entities", "entities_json", "format_text"]
