"""Telegram's legacy Markdown parse mode: a port of tdlib's parse_markdown."""

from __future__ import annotations

from standin.formatting.entities import SPACES, Entity, byte_offset, check_url, entities_error


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else "\0"

    chars: list[str] = []
    ents: list[Entity] = []
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and at(i + 1) in "_*`[" and at(i + 1) != "\0":
            chars.append(text[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            chars.append(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        is_pre = False
        language = ""
        i += 1
        if c == "`" and at(i) == "`" and at(i + 1) == "`":
            i += 2
            is_pre = True
            lang_end = i
            while at(lang_end) not in SPACES and at(lang_end) != "`":
                lang_end += 1
            if i != lang_end and lang_end < n and at(lang_end) != "`":
                language = text[i:lang_end]
                i = lang_end
            if at(i) in "\n\r" and at(i) != "\0":
                if at(i + 1) in "\n\r" and at(i + 1) != "\0" and at(i) != at(i + 1):
                    i += 2
                else:
                    i += 1
        start = len(chars)
        while i < n and (
            text[i] != end_char or (is_pre and not (at(i + 1) == "`" and at(i + 2) == "`"))
        ):
            chars.append(text[i])
            i += 1
        if i == n:
            raise entities_error(
                f"Can't find end of the entity starting at byte offset {byte_offset(text, begin)}"
            )
        url: str | None = None
        if c == "[":
            if at(i + 1) == "(":
                i += 2
                url_begin = i
                buf: list[str] = []
                while i < n and text[i] != ")":
                    buf.append(text[i])
                    i += 1
                if at(i) != ")":
                    raise entities_error(
                        f"Can't find end of a URL at byte offset {byte_offset(text, url_begin)}"
                    )
                url = "".join(buf)
            else:
                url = "".join(chars[start:])
        if len(chars) > start:
            if c == "_":
                ents.append(Entity("italic", start, len(chars)))
            elif c == "*":
                ents.append(Entity("bold", start, len(chars)))
            elif c == "`":
                extra = {"language": language} if is_pre and language else {}
                ents.append(Entity("pre" if is_pre else "code", start, len(chars), extra))
            elif url is not None:
                checked = check_url(url)
                if checked is not None:
                    ents.append(Entity("text_link", start, len(chars), {"url": checked}))
        if is_pre:
            i += 2
        i += 1
    return "".join(chars), ents
