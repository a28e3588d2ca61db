"""HTML fragments (feed summaries) to plain text: right on broken markup, at parse speed.

Feeds carry markup that regular expressions get wrong: a `<` inside an attribute value
(`href="javascript:f('<x>')"`), a tag the publisher cut short (`<a...Read More`), custom
elements with hyphens (`<wp-block-embed>`), broken quoting, comments and scripts. Those are
read by lexbor (through selectolax), an HTML5 parser in C that reads them as a browser does.
Most summaries are plain, well-formed tags: for them two regular expressions give the same
text in about half lexbor's time, and anything they leave a `<` in (or an element whose
content is hidden) goes to lexbor. tests/test_html_text.py holds the two equal.

Summaries a publisher escaped twice (`&lt;p&gt;` inside CDATA) come out of a first pass as
markup and are read again, so that no summary keeps a tag.
"""

from __future__ import annotations

import re
from html import unescape

from selectolax.lexbor import LexborHTMLParser

__all__ = ["HTML_CHARS", "has_markup", "plain_text", "plain_text_lexbor"]

HTML_CHARS = 100_000  # markup is verbose, but the text kept from it is a summary's start
# Elements whose content is not text a reader sees (or, for textarea/xmp, is raw markup).
_HIDDEN = ("script", "style", "template", "noscript", "textarea", "xmp", "iframe", "noembed",
           "noframes", "object", "svg", "math", "title", "head", "plaintext", "select")
# Block elements separate words; inline ones (<b>, <a>) sit inside a sentence.
_BLOCKS = ("p|br|div|li|ul|ol|dl|dt|dd|tr|td|th|table|caption|blockquote|h[1-6]|hr|pre|section|"
           "article|aside|header|footer|figure|figcaption|nav|main|address")
# Tables move stray text out of them (HTML's "foster parenting"): only the parser gets that right.
_PARSER_ONLY = "|".join((*_HIDDEN, "table", "caption", "tbody", "thead", "tfoot", "tr", "td",
                         "th", "col", "colgroup", "frameset", "frame", "body", "html", "base"))
# For lexbor: a space in front of each block tag becomes a text space (inside a hidden element
# or an attribute value it changes nothing that is kept).
_BLOCK_START = re.compile(rf"<(?=/?(?:{_BLOCKS})[\s/>])", re.IGNORECASE)
# For the quick path: whole tags only, with well-quoted attributes holding no `<`; a hidden
# element's tag is not matched, so that its `<` stays and lexbor reads the fragment.
# A block tag becomes a NUL first (never in XML text), which no tag may hold, so that removing
# one tag cannot join the pieces around it into another.
_ATTRS = r"""(?:\s+[^\s"'<>/=\0]+(?:\s*=\s*(?:"[^"<\0]*"|'[^'<\0]*'|[^\s"'<>=`\0]+))?)*\s*/?>"""
_BLOCK_TAG = re.compile(rf"</?(?!(?:{_PARSER_ONLY})[\s/>])(?:{_BLOCKS}){_ATTRS}", re.IGNORECASE)
_INLINE_TAG = re.compile(rf"</?(?!(?:{_PARSER_ONLY})[\s/>])[A-Za-z][A-Za-z0-9]*{_ATTRS}",
                         re.IGNORECASE)
_MARKUP = re.compile(r"</?[A-Za-z]|<[!?]")  # what an HTML5 tokenizer reads as a tag or comment
_PASSES = 3


def has_markup(text: str) -> bool:
    """Whether text still holds something a browser would read as a tag or a comment."""
    return "<" in text and _MARKUP.search(text) is not None


def _quick(html: str) -> str | None:
    """The text by pattern, or None when a `<` is left that only a parser reads right."""
    if "\0" in html:
        return None
    text = _INLINE_TAG.sub("", _BLOCK_TAG.sub("\0", html))
    if "<" in text:
        return None
    text = text.replace("\0", " ")
    return unescape(text) if "&" in text else text


def plain_text_lexbor(html: str) -> str:
    """One pass of lexbor over a fragment: its visible text, entities decoded, not collapsed."""
    tree = LexborHTMLParser(_BLOCK_START.sub(" <", html))
    tree.strip_tags(list(_HIDDEN))
    body = tree.body
    return body.text(deep=True, separator="", strip=False) if body is not None else ""


def plain_text(html: str, *, passes: int = _PASSES) -> str:
    """Text of an HTML fragment: tags removed, entities decoded, whitespace collapsed.

    `passes`: how many times text that still holds markup (escaped twice) is read again;
    a title is read once, so that an escaped "<b>" in it stays as the author wrote it.
    Only the first HTML_CHARS characters are read: enough for any summary that is kept.
    """
    text = html[:HTML_CHARS]
    for _ in range(passes):
        if "<" not in text:
            text = unescape(text) if "&" in text else text
        else:
            quick = _quick(text)
            text = quick if quick is not None else plain_text_lexbor(text)
        if not has_markup(text):
            break
    else:
        if passes > 1:  # escaped more than `passes` times over: drop what still looks like tags
            text = re.sub(r"<[^<>]*>?", " ", text)
    return " ".join(text.split())
