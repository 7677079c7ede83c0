"""Telegram's HTML parse mode: a port of tdlib's parse_html.

Own code because no kept library parses Telegram's HTML subset with Telegram's error texts; the
bot's escaping is only tested if the stand-in rejects exactly what Telegram rejects.
"""

from __future__ import annotations

from standin.formatting.entities import SPACES, Entity, byte_offset, check_url, entities_error


def _decode_html_entity(text: str, pos: int, *, strict: bool) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``pos``; None when it is not a supported entity."""
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else "\0"

    end = pos + 1
    code = 0
    if at(pos + 1) == "#":
        end += 1
        if at(pos + 2) == "x":
            end += 1
            while at(end) in "0123456789abcdefABCDEF" and at(end) != "\0":
                code = code * 16 + int(text[end], 16)
                end += 1
                if code >= 0x10FFFF:
                    return None
        else:
            while at(end).isascii() and at(end).isdigit():
                code = code * 10 + int(text[end])
                end += 1
                if code >= 0x10FFFF:
                    return None
        if code == 0 or end - pos >= 10 or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while at(end).isascii() and at(end).isalpha():
            end += 1
        name = text[pos + 1 : end]
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(name)
        if named is None:
            return None
        char = named
    if at(end) == ";":
        end += 1
    elif strict:
        return None
    return char, end


_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_HTML = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def _close_html_tag(
    tag: str, argument: str, start: int, end: int, chars: list[str], ents: list[Entity]
) -> None:
    last = ents[-1] if ents else None
    same_span = last is not None and last.start == start and last.end == end
    if tag in _SIMPLE_HTML:
        ents.append(Entity(_SIMPLE_HTML[tag], start, end))
    elif tag == "a":
        url = check_url(argument if argument else "".join(chars[start:end]))
        if url is not None:
            ents.append(Entity("text_link", start, end, {"url": url}))
    elif tag == "pre":
        if same_span and last is not None and last.type == "code":
            ents.pop()
            language = last.extra.get("_language")
            ents.append(Entity("pre", start, end, {"language": language} if language else {}))
        else:
            ents.append(Entity("pre", start, end))
    elif tag == "code":
        if same_span and last is not None and last.type == "pre":
            if argument:
                last.extra["language"] = argument
        else:
            ents.append(Entity("code", start, end, {"_language": argument} if argument else {}))
    elif tag == "tg-emoji":
        if not argument.isdigit():
            raise entities_error("Invalid custom emoji identifier specified")
        ents.append(Entity("custom_emoji", start, end, {"custom_emoji_id": argument}))
    elif tag == "blockquote":
        ents.append(Entity("expandable_blockquote" if argument else "blockquote", start, end))


def parse_html(text: str, *, strict: bool) -> tuple[str, list[Entity]]:
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else "\0"

    def boff(k: int) -> int:
        return byte_offset(text, k)

    chars: list[str] = []
    nested: list[tuple[str, str, int]] = []
    ents: list[Entity] = []
    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            decoded = _decode_html_entity(text, i, strict=strict)
            if decoded is not None:
                chars.append(decoded[0])
                i = decoded[1]
                continue
            if strict:
                raise entities_error(
                    f'Character "&" at byte offset {boff(i)} must be escaped as "&amp;" '
                    "(stand-in strict mode)"
                )
        if c != "<":
            chars.append(c)
            i += 1
            continue
        begin = i
        i += 1
        if at(i) != "/":
            while at(i) not in SPACES and at(i) != ">":
                i += 1
            if at(i) == "\0":
                raise entities_error(f"Unclosed start tag at byte offset {boff(begin)}")
            tag = text[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise entities_error(f'Unsupported start tag "{tag}" at byte offset {boff(begin)}')
            argument = ""
            while at(i) != ">":
                while at(i) != "\0" and at(i) in SPACES:
                    i += 1
                if at(i) == ">":
                    break
                attr_begin = i
                while at(i) not in SPACES and at(i) not in "=>":
                    i += 1
                attr = text[attr_begin:i]
                if not attr:
                    raise entities_error(
                        f'Empty attribute name in the tag "{tag}" at byte offset {boff(begin)}'
                    )
                while at(i) != "\0" and at(i) in SPACES:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and attr.lower() == "expandable" and at(i) != "\0":
                        argument = "1"
                        continue
                    raise entities_error(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {boff(begin)}'
                    )
                i += 1
                while at(i) != "\0" and at(i) in SPACES:
                    i += 1
                if at(i) == "\0":
                    raise entities_error(
                        f'Unclosed start tag "{tag}" at byte offset {boff(begin)}'
                    )
                if at(i) not in "'\"":
                    token_begin = i
                    while at(i).isascii() and (at(i).isalnum() or at(i) in ".-"):
                        i += 1
                    value = text[token_begin:i].lower()
                    if at(i) not in SPACES and at(i) != ">":
                        raise entities_error(
                            f"Unexpected end of name token at byte offset {boff(token_begin)}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    buf: list[str] = []
                    while at(i) != quote and at(i) != "\0":
                        if at(i) == "&":
                            decoded = _decode_html_entity(text, i, strict=False)
                            if decoded is not None:
                                buf.append(decoded[0])
                                i = decoded[1]
                                continue
                        buf.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(buf)
                if at(i) == "\0":
                    raise entities_error(f"Unclosed start tag at byte offset {boff(begin)}")
                if tag == "a" and attr == "href":
                    argument = value
                elif tag == "code" and attr == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attr == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise entities_error(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {boff(begin)}'
                )
            nested.append((tag, argument, len(chars)))
            i += 1
        else:
            if not nested:
                raise entities_error(f"Unexpected end tag at byte offset {boff(begin)}")
            while at(i) not in SPACES and at(i) != ">":
                i += 1
            end_tag = text[begin + 2 : i]
            while at(i) in SPACES and at(i) != "\0":
                i += 1
            if at(i) != ">":
                raise entities_error(f"Unclosed end tag at byte offset {boff(begin)}")
            tag, argument, start = nested[-1]
            if end_tag and end_tag != tag:
                raise entities_error(
                    f'Unmatched end tag at byte offset {boff(begin)}, expected "</{tag}>", '
                    f'found "</{end_tag}>"'
                )
            nested.pop()
            i += 1
            if len(chars) > start:
                _close_html_tag(tag, argument, start, len(chars), chars, ents)
    if nested:
        raise entities_error(f'Can\'t find end tag corresponding to start tag "{nested[-1][0]}"')
    return "".join(chars), ents
