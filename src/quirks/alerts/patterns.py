"""A local implementation of the CloudWatch Logs filter pattern language (pure).

Supported (see the CloudWatch Logs "Filter pattern syntax" documentation, and https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html):

* match everything: an empty pattern, or ``" "``;
* terms: ``ERROR Exception`` (all must appear), quoted phrases ``"INTERNAL SERVER ERROR"``,
  ``?ERROR ?WARN`` (any), ``-DEBUG`` (must not appear); case sensitive;
* regular expressions: ``%AUTHORIZED%``;
* JSON: ``{ $.level = "ERROR" }`` with ``=``, ``!=``, ``<``, ``>``, ``<=``, ``>=``, ``IS NULL``,
  ``NOT EXISTS``, ``IS TRUE`` / ``IS FALSE``, ``&&``, ``||``, parentheses, array indexes
  (``$.users[0].email``), ``*`` wildcards in string values and ``%regex%`` values.

Not supported: space-delimited patterns (``[ip, user, ...]``); compiling one raises
:class:`PatternError`.

Interpretations where the documentation is silent: a bare term matches where it is not part of a
longer alphanumeric word (``ERROR`` matches ``[ERROR]`` and ``"ERROR"`` but not ``ERRORS``); a quoted
phrase matches anywhere. ``?`` terms are alternatives, plain terms are all required, ``-`` terms are
exclusions; a pattern may combine them. A JSON pattern only matches messages that are JSON objects;
comparisons (``=``, ``!=``, ...) are false when the selected field does not exist.

Use :func:`compile_pattern` once and call :meth:`FilterPattern.matches` per message.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from quirks import jsonsafe
from quirks.errors import FormatError

__all__ = ["DEFAULT_PATTERN", "FilterPattern", "PatternError", "compile_pattern"]

# Text and JSON errors (the JSON "level"/"log_level" values are upper case and appear as the term
# ERROR/CRITICAL/FATAL), timeouts (text, and "status":"timeout" in JSON platform records) and
# runtime crashes. The JSON timeout is matched as the quoted string "timeout", never the bare word:
# a line such as "WARN timeout soon" is not an error.
DEFAULT_PATTERN = r'?ERROR ?CRITICAL ?FATAL ?"Task timed out" ?"Runtime exited" ?"Runtime.ExitError" ?"\"timeout\""'

_MISSING = object()
Matcher = Callable[[str], bool]
JsonTest = Callable[[Any], bool]


class PatternError(FormatError):
    """A filter pattern that is not valid (or not supported) syntax."""

    def __init__(self, pattern: str, problem: str) -> None:
        super().__init__("filter pattern", f"{problem} in {pattern!r}")


PatternKind = Literal["all", "terms", "regex", "json"]
"""Which of CloudWatch Logs' filter pattern syntaxes a pattern is written in."""


@dataclass(frozen=True)
class FilterPattern:
    """A compiled filter pattern: ``matches(message)`` says whether a log event passes."""

    source: str
    kind: PatternKind
    _matcher: Matcher

    def matches(self, message: str) -> bool:
        """True when the log event ``message`` matches this pattern."""
        return self._matcher(message)

    def filter(self, messages: list[str]) -> list[str]:
        """The messages that match, in order."""
        return [m for m in messages if self._matcher(m)]


def compile_pattern(pattern: str) -> FilterPattern:
    """Compile ``pattern``; raises :class:`PatternError` naming the problem."""
    text = pattern.strip()
    if not text or re.fullmatch(r'"\s*"', text):
        return FilterPattern(pattern, "all", lambda _message: True)
    if text.startswith("{"):
        if not text.endswith("}"):
            raise PatternError(pattern, "a JSON pattern must end with }")
        test = _JsonParser(pattern, text[1:-1]).parse()
        return FilterPattern(pattern, "json", _json_matcher(test))
    if text.startswith("["):
        raise PatternError(pattern, "space-delimited patterns are not supported")
    if len(text) > 1 and text.startswith("%") and text.endswith("%"):
        regex = _compile_regex(pattern, text[1:-1])
        return FilterPattern(pattern, "regex", lambda message: regex.search(message) is not None)
    return FilterPattern(pattern, "terms", _terms_matcher(pattern, text))


def _compile_regex(pattern: str, body: str) -> re.Pattern[str]:
    if "(" in body or ")" in body:
        raise PatternError(pattern, "parentheses are not supported in regular expressions")
    try:
        return re.compile(body)
    except re.error as exc:
        raise PatternError(pattern, f"invalid regular expression: {exc}") from None


# --- terms -----------------------------------------------------------------------------------

_TERM = re.compile(r'\s*([?-]?)(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))')


def _term_regex(term: str, quoted: bool) -> re.Pattern[str]:
    if quoted:
        return re.compile(re.escape(term))
    return re.compile(rf"(?<![A-Za-z0-9_]){re.escape(term)}(?![A-Za-z0-9_])")


def _terms_matcher(pattern: str, text: str) -> Matcher:
    required: list[re.Pattern[str]] = []
    optional: list[re.Pattern[str]] = []
    excluded: list[re.Pattern[str]] = []
    position = 0
    while position < len(text):
        match = _TERM.match(text, position)
        if not match:
            if text[position:].strip():
                raise PatternError(pattern, f"unexpected text at {text[position:]!r}")
            break
        prefix, quoted, bare = match.groups()
        position = match.end()
        term = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
        if not term:
            continue
        regex = _term_regex(term, quoted is not None)
        {"": required, "?": optional, "-": excluded}[prefix].append(regex)

    def matches(message: str) -> bool:
        if any(r.search(message) for r in excluded):
            return False
        if not all(r.search(message) for r in required):
            return False
        return not optional or any(r.search(message) for r in optional)

    return matches


# --- JSON ------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\))
    | (?P<selector>\$[^\s=!<>()&|]*)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<regex>%[^%]*%)
    | (?P<word>[^\s=!<>()&|"]+)
    )""",
    re.VERBOSE,
)
_SELECTOR_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\.?\['([^']*)'\]")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _select(document: Any, path: tuple[str | int, ...]) -> Any:
    value = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return _MISSING
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return _MISSING
            value = value[step]
    return value


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _JsonParser:
    def __init__(self, pattern: str, body: str) -> None:
        self.pattern = pattern
        self.tokens = self._tokenize(body)
        self.index = 0

    def _tokenize(self, body: str) -> list[_Token]:
        tokens = []
        position = 0
        while position < len(body):
            if not body[position:].strip():
                break
            match = _TOKEN.match(body, position)
            if not match or match.end() == position:
                raise PatternError(self.pattern, f"unexpected text at {body[position:]!r}")
            kind = match.lastgroup or ""
            tokens.append(_Token(kind, match.group(kind)))
            position = match.end()
        return tokens

    def _peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _next(self, expected: str) -> _Token:
        token = self._peek()
        if token is None:
            raise PatternError(self.pattern, f"{expected} expected at the end")
        self.index += 1
        return token

    def parse(self) -> JsonTest:
        if not self.tokens:
            raise PatternError(self.pattern, "an empty JSON pattern")
        test = self._or()
        if self._peek() is not None:
            raise PatternError(self.pattern, f"unexpected {self.tokens[self.index].text!r}")
        return test

    def _or(self) -> JsonTest:
        parts = [self._and()]
        while (token := self._peek()) and token.text == "||":
            self.index += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda doc: any(p(doc) for p in parts))

    def _and(self) -> JsonTest:
        parts = [self._unary()]
        while (token := self._peek()) and token.text == "&&":
            self.index += 1
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else (lambda doc: all(p(doc) for p in parts))

    def _unary(self) -> JsonTest:
        token = self._next("a selector or (")
        if token.text == "(":
            inner = self._or()
            if self._next(")").text != ")":
                raise PatternError(self.pattern, "missing )")
            return inner
        if token.kind != "selector":
            raise PatternError(self.pattern, f"a $ selector expected, got {token.text!r}")
        return self._comparison(self._path(token.text))

    def _path(self, selector: str) -> tuple[str | int, ...]:
        rest = selector[1:]
        path: list[str | int] = []
        position = 0
        while position < len(rest):
            match = _SELECTOR_PART.match(rest, position)
            if not match:
                raise PatternError(self.pattern, f"invalid selector {selector!r}")
            name, index, quoted = match.groups()
            path.append(int(index) if index is not None else (name if name is not None else quoted))
            position = match.end()
        if not path:
            raise PatternError(self.pattern, f"selector {selector!r} selects nothing")
        return tuple(path)

    def _comparison(self, path: tuple[str | int, ...]) -> JsonTest:
        token = self._next("an operator")
        if token.kind == "word" and token.text.upper() in ("IS", "NOT"):
            word = self._next("NULL, TRUE, FALSE or EXISTS").text.upper()
            if token.text.upper() == "NOT":
                if word != "EXISTS":
                    raise PatternError(self.pattern, "NOT must be followed by EXISTS")
                return lambda doc: _select(doc, path) is _MISSING
            if word == "NULL":
                return lambda doc: _select(doc, path) is None
            if word in ("TRUE", "FALSE"):
                expected = word == "TRUE"
                return lambda doc: _select(doc, path) is expected
            raise PatternError(self.pattern, f"IS {word} is not an operator")
        if token.kind != "op" or token.text in ("&&", "||", "(", ")"):
            raise PatternError(self.pattern, f"an operator expected, got {token.text!r}")
        return self._value_test(path, token.text, self._next("a value"))

    def _value_test(self, path: tuple[str | int, ...], op: str, value: _Token) -> JsonTest:
        if value.kind == "regex":
            regex = _compile_regex(self.pattern, value.text[1:-1])
            if op not in ("=", "!="):
                raise PatternError(self.pattern, f"{op} cannot compare with a regular expression")
            positive = op == "="

            def regex_test(doc: Any) -> bool:
                field = _select(doc, path)
                if field is _MISSING or field is None or isinstance(field, dict | list):
                    return False
                text = json.dumps(field) if isinstance(field, bool) else str(field)
                return (regex.search(text) is not None) == positive

            return regex_test
        if value.kind == "string":
            literal: str = json.loads(value.text)
            number = None
        elif value.kind == "word":
            literal = value.text
            number = _number(literal)
        else:
            raise PatternError(self.pattern, f"a value expected, got {value.text!r}")
        if op in ("<", ">", "<=", ">="):
            if number is None:
                raise PatternError(self.pattern, f"{op} needs a number, got {value.text!r}")
            compare: Callable[[float, float], bool] = {
                "<": operator.lt,
                ">": operator.gt,
                "<=": operator.le,
                ">=": operator.ge,
            }[op]

            def numeric_test(doc: Any) -> bool:
                field = _select(doc, path)
                return _is_number(field) and compare(field, number)

            return numeric_test
        wildcard = re.compile(
            "".join(
                ".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", literal)
            ),
            re.S,
        )
        positive = op == "="

        def equality_test(doc: Any) -> bool:
            field = _select(doc, path)
            if field is _MISSING or isinstance(field, dict | list):
                return False
            if number is not None and _is_number(field):
                return bool(field == number) == positive
            text = json.dumps(field) if field is None or isinstance(field, bool) else str(field)
            return (wildcard.fullmatch(text) is not None) == positive

        return equality_test


def _json_matcher(test: JsonTest) -> Matcher:
    def matches(message: str) -> bool:
        stripped = message.strip()
        if not stripped.startswith("{"):
            return False
        try:
            document = jsonsafe.loads(stripped, "log event")
        except ValueError:
            return False
        return isinstance(document, dict) and bool(test(document))

    return matches
