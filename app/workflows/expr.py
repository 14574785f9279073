"""A tiny, safe expression language for step conditions and ``${...}`` input references.

No ``eval``: conditions are tokenized and parsed by a recursive-descent parser into a small
tree that is evaluated against a scope (``ctx`` = the run's inputs, ``steps`` = earlier steps).

Grammar::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | cmp
    cmp     := primary (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") primary)?
    primary := NUMBER | STRING | "true" | "false" | "null" | REF | "${" REF "}" | "(" expr ")"
    REF     := NAME ("." (NAME | INT))*
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import overload

from app.errors import UserError
from app.jsonvalue import JsonObject, JsonScalar, JsonValue


class ExpressionError(UserError):
    """A condition or reference could not be parsed or evaluated."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>-?\d+(?:\.\d+)?)
      | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<op>==|!=|<=|>=|<|>|\(|\)|\$\{|\})
      | (?P<ref>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)*)
    )""",
    re.VERBOSE,
)

_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}
_REF_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)*$")
_TEMPLATE = re.compile(r"\$\{\s*([^}]*?)\s*\}")


@dataclass(frozen=True)
class Token:
    kind: str  # num, str, op, ref, kw, end
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ExpressionError(f"cannot read condition {text!r} at position {pos}: {text[pos:pos + 10]!r}")
        kind = m.lastgroup or "?"
        value = m.group(kind)
        start = m.start(kind)
        if kind == "ref" and value in _KEYWORDS:
            kind = "kw"
        tokens.append(Token(kind, value, start))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# --- the tree ------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: JsonScalar


@dataclass(frozen=True)
class Ref:
    path: tuple[str, ...]


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node


Node = Literal | Ref | Not | BoolOp | Compare


MAX_NESTING = 50  # `not`s and parentheses inside each other; evaluation recurses this deep


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    def nest(self) -> None:
        """Enter one level of ``not`` or ``(``; refuses before Python's recursion limit can be reached."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ExpressionError(f"condition nests `not` and parentheses more than {MAX_NESTING} levels deep; simplify it")

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, kind: str, text: str | None = None) -> Token:
        tok = self.take()
        if tok.kind != kind or (text is not None and tok.text != text):
            want = text or kind
            raise ExpressionError(f"in condition {self.text!r}: expected {want!r} at position {tok.pos}, got {tok.text or 'end'!r}")
        return tok

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek().kind != "end":
            tok = self.peek()
            raise ExpressionError(f"in condition {self.text!r}: unexpected {tok.text!r} at position {tok.pos}")
        return node

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.peek().kind == "kw" and self.peek().text == "or":
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def parse_and(self) -> Node:
        parts = [self.parse_not()]
        while self.peek().kind == "kw" and self.peek().text == "and":
            self.take()
            parts.append(self.parse_not())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def parse_not(self) -> Node:
        if self.peek().kind == "kw" and self.peek().text == "not":
            self.take()
            self.nest()
            node = Not(self.parse_not())
            self.depth -= 1
            return node
        return self.parse_cmp()

    def parse_cmp(self) -> Node:
        left = self.parse_primary()
        tok = self.peek()
        if (tok.kind == "op" and tok.text in {"==", "!=", "<", "<=", ">", ">="}) or (tok.kind == "kw" and tok.text == "in"):
            self.take()
            right = self.parse_primary()
            return Compare(tok.text, left, right)
        return left

    def parse_primary(self) -> Node:
        tok = self.take()
        if tok.kind == "num":
            return Literal(float(tok.text) if "." in tok.text else int(tok.text))
        if tok.kind == "str":
            return Literal(_unquote(tok.text))
        if tok.kind == "kw" and tok.text in {"true", "false", "null"}:
            return Literal({"true": True, "false": False, "null": None}[tok.text])
        if tok.kind == "ref":
            return Ref(tuple(tok.text.split(".")))
        if tok.kind == "op" and tok.text == "${":
            ref = self.expect("ref")
            self.expect("op", "}")
            return Ref(tuple(ref.text.split(".")))
        if tok.kind == "op" and tok.text == "(":
            self.nest()
            node = self.parse_or()
            self.expect("op", ")")
            self.depth -= 1
            return node
        raise ExpressionError(f"in condition {self.text!r}: unexpected {tok.text or 'end'!r} at position {tok.pos}")


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


MAX_CONDITION_CHARS = 2000


def parse(text: str) -> Node:
    """Parse a condition; raises :class:`ExpressionError` with the position on bad input."""
    if len(text) > MAX_CONDITION_CHARS:
        raise ExpressionError(f"a condition is {len(text)} characters long; the limit is {MAX_CONDITION_CHARS}: simplify it")
    return _Parser(text).parse()


def references(node: Node) -> list[tuple[str, ...]]:
    """Every reference path in a parsed condition (used to validate definitions)."""
    if isinstance(node, Ref):
        return [node.path]
    if isinstance(node, Not):
        return references(node.operand)
    if isinstance(node, BoolOp):
        return [p for o in node.operands for p in references(o)]
    if isinstance(node, Compare):
        return references(node.left) + references(node.right)
    return []


# --- evaluation ------------------------------------------------------------------------


Scope = Mapping[str, JsonValue]  # ``ctx`` (the run's inputs) and ``steps`` (each earlier step's output and status)


def lookup(scope: Scope, path: tuple[str, ...]) -> JsonValue:
    """Follow a dotted path through dicts and lists; a missing part gives ``None``."""
    value: JsonValue | Scope = scope
    for part in path:
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list | tuple) and part.lstrip("-").isdigit():
            idx = int(part)
            value = value[idx] if -len(value) <= idx < len(value) else None
        else:
            return None
        if value is None:
            return None
    return dict(value) if isinstance(value, Mapping) and not isinstance(value, dict) else value


def evaluate(node: Node, scope: Scope) -> JsonValue:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return lookup(scope, node.path)
    if isinstance(node, Not):
        return not truthy(evaluate(node.operand, scope))
    if isinstance(node, BoolOp):
        if node.op == "and":
            return all(truthy(evaluate(o, scope)) for o in node.operands)
        return any(truthy(evaluate(o, scope)) for o in node.operands)
    left = evaluate(node.left, scope)
    right = evaluate(node.right, scope)
    return _compare(node.op, left, right)


def truthy(value: JsonValue) -> bool:
    return bool(value)


_ORDER: dict[str, Callable[[float | str, float | str], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _compare(op: str, left: JsonValue, right: JsonValue) -> bool:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op == "in":
        if isinstance(right, str) and isinstance(left, str):
            return left in right
        if isinstance(right, list | tuple | Mapping):
            return left in right
        return False
    # ordering: numbers with numbers, strings with strings; anything else is false, never an error
    if isinstance(left, bool) or isinstance(right, bool):
        return False
    numbers = isinstance(left, int | float) and isinstance(right, int | float)
    texts = isinstance(left, str) and isinstance(right, str)
    if not (numbers or texts):
        return False
    assert isinstance(left, int | float | str) and isinstance(right, int | float | str)
    return bool(_ORDER[op](left, right))


def evaluate_condition(text: str, scope: Scope) -> bool:
    return truthy(evaluate(parse(text), scope))


# --- ${...} references in step inputs ------------------------------------------------------


def template_refs(value: JsonValue | Mapping[str, JsonValue]) -> list[tuple[str, ...]]:
    """Every ``${a.b}`` reference inside a (nested) input value."""
    out: list[tuple[str, ...]] = []
    if isinstance(value, str):
        for m in _TEMPLATE.finditer(value):
            path = m.group(1)
            if not _REF_PATH.match(path):
                raise ExpressionError(f"bad reference ${{{path}}}: use ${{ctx.NAME}} or ${{steps.STEP.output.FIELD}}")
            out.append(tuple(path.split(".")))
    elif isinstance(value, Mapping):
        for v in value.values():
            out.extend(template_refs(v))
    elif isinstance(value, list | tuple):
        for v in value:
            out.extend(template_refs(v))
    return out


@overload
def resolve(value: JsonObject, scope: Scope) -> JsonObject: ...


@overload
def resolve(value: JsonValue, scope: Scope) -> JsonValue: ...


def resolve(value: JsonValue, scope: Scope) -> JsonValue:
    """Substitute ``${...}`` references. A string that is exactly one reference keeps the value's type."""
    if isinstance(value, str):
        whole = _TEMPLATE.fullmatch(value.strip())
        if whole is not None and value.strip() == value:
            return lookup(scope, tuple(whole.group(1).split(".")))

        def sub(m: re.Match[str]) -> str:
            found = lookup(scope, tuple(m.group(1).split(".")))
            return "" if found is None else str(found)

        return _TEMPLATE.sub(sub, value)
    if isinstance(value, Mapping):
        return {k: resolve(v, scope) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve(v, scope) for v in value]
    return value
