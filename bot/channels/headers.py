"""E-mail headers that carry outside text as inert text, never as header syntax.

Python's default e-mail policy parses a header value it is given: RFC 2047 encoded words in
it (`=?utf-8?q?=0D=0ABcc:_x@y?=`) are decoded, and the decoded line breaks become real header
lines when the message is written. Here the Subject (the one header that holds outside text:
headlines, holders) is taken literally, word by word, so the generator encodes whatever needs
it (non-ASCII, or text that merely looks like an encoded word) and a reader decodes back
exactly the text we were given.
"""

from __future__ import annotations

from email import _header_value_parser as parser
from email import policy
from email.charset import Charset
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from typing import Any


class LiteralTextHeader(UnstructuredHeader):
    """An unstructured header whose value is plain text: nothing in it is decoded."""

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        text = " ".join(str(value).split())  # one line: no CR, LF or runs of white space
        tokens = parser.UnstructuredTokenList()
        if text.isascii() and "=?" not in text and "?=" not in text:
            for i, word in enumerate(text.split(" ")):
                if i:
                    tokens.append(parser.WhiteSpaceTerminal(" ", "fws"))
                tokens.append(parser.ValueTerminal(word, "vtext"))
        else:
            # Non-ASCII, or text that merely looks like an encoded word: the whole value goes
            # as encoded words of ours, so a lenient reader cannot decode what it pretends to
            # hold. Readers join adjacent encoded words, dropping the white space between.
            for start in range(0, len(text), _CHUNK):
                if start:
                    tokens.append(parser.WhiteSpaceTerminal(" ", "fws"))
                piece = parser.ValueTerminal(_UTF8.header_encode(text[start:start + _CHUNK]),
                                             "vtext")
                piece.as_ew_allowed = False  # already encoded: the folder must not encode again
                tokens.append(piece)
        kwds["parse_tree"] = tokens
        kwds["decoded"] = text


_UTF8 = Charset("utf-8")
_CHUNK = 30  # characters per encoded word of ours: well inside the 75-character limit
_REGISTRY = HeaderRegistry()
_REGISTRY.map_to_type("subject", LiteralTextHeader)  # type: ignore[arg-type] # a mixin, as in the stdlib
# The policy of every message Chokepoint writes (alerts and the digest).
POLICY = policy.default.clone(header_factory=_REGISTRY)
