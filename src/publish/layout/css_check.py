"""Check a layout's stylesheets the way WeasyPrint will read them, and say where each
mistake is.

WeasyPrint drops a declaration it cannot use (an unknown property, `solidd`, a
`var(--color-acent)` that names nothing) and, after a missing `}`, reads every later rule
as nested inside the unclosed one; by default it says nothing about any of it. This module
parses every stylesheet of a layout's chain with tinycss2 (the parser WeasyPrint uses) and
validates each declaration with WeasyPrint's own validators
(`weasyprint.css.validation`), after substituting the custom properties the layout
defines (its tokens, `--body-size`, `--color-accent`, …, and every `--name:` its
stylesheets declare), so a `var()` is checked with the value it will have.

Each problem is a `CssProblem`, printed `file.css:LINE:COL: warning: message`.
`publish check --layout NAME`, `publish build` (stderr) and the preview (a banner) show
them; `--strict` makes them errors (exit status 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import tinycss2
from tinycss2.ast import FunctionBlock

from publish.errors import MissingLayoutFile, display_path

# Properties the print document may carry without WeasyPrint knowing them: none so far.
# Vendor-prefixed names (-webkit-, -epub-) are for other renderers (the EPUB's reading
# systems) and are skipped, as WeasyPrint skips them.
MAX_DEPTH = 8  # var() inside a custom property inside a custom property …


@dataclass(frozen=True)
class CssProblem:
    path: Path
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.column}: warning: {self.message}"

    def as_error(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.column}: error: {self.message}"


# -- braces -------------------------------------------------------------------------------


def brace_problems(path: Path, text: str) -> list[CssProblem]:
    """Unbalanced `{ }`, `( )` and `[ ]`, outside comments and strings, at the opening or
    stray closing character's own line and column."""
    problems: list[CssProblem] = []
    stack: list[tuple[str, int, int, int]] = []  # (char, line, column, offset)
    pairs = {"}": "{", ")": "(", "]": "["}
    line, column, i, n = 1, 1, 0, len(text)

    def advance(count: int = 1):
        nonlocal line, column, i
        for _ in range(count):
            if i < n and text[i] == "\n":
                line, column = line + 1, 1
            else:
                column += 1
            i += 1

    while i < n:
        char = text[i]
        if text.startswith("/*", i):
            start = (line, column)
            end = text.find("*/", i + 2)
            if end < 0:
                problems.append(CssProblem(path, *start, "comment is never closed (no */); the rest of the file "
                                                        "is ignored"))
                break
            advance(end + 2 - i)
            continue
        if char in "\"'":
            start = (line, column)
            advance()
            while i < n and text[i] != char and text[i] != "\n":
                advance(2 if text[i] == "\\" else 1)
            if i >= n or text[i] == "\n":
                problems.append(CssProblem(path, *start, f"string is not closed by {char} on its line"))
            advance()
            continue
        if char == "\\":
            advance(2)
            continue
        if char in "{([":
            stack.append((char, line, column, i))
        elif char in "})]":
            if stack and stack[-1][0] == pairs[char]:
                stack.pop()
            else:
                expected = {"{": "}", "(": ")", "[": "]"}[stack[-1][0]] if stack else None
                hint = f" (expected {expected} for the {stack[-1][0]} at {stack[-1][1]}:{stack[-1][2]})" \
                    if expected else ""
                problems.append(CssProblem(path, line, column, f"stray {char} with nothing to close{hint}"))
        advance()
    for char, line_, column_, offset in stack:
        closing = {"{": "}", "(": ")", "[": "]"}[char]
        message = f"{char} is never closed (missing {closing})"
        if char == "{":
            later = _next_rule_line(text, offset)
            message += (f"; every rule after it (from line {later}) is read as nested inside this one and "
                        f"does not apply as written" if later else "")
        problems.append(CssProblem(path, line_, column_, message))
    return problems


def _next_rule_line(text: str, offset: int) -> int | None:
    """The line of the first `{` after `offset` that opens another rule."""
    depth = 0
    for match in re.finditer(r"[{}]", text[offset + 1:]):
        if match.group() == "{":
            if depth == 0:
                return text.count("\n", 0, offset + 1 + match.start()) + 1
            depth += 1
        else:
            depth -= 1
    return None


# -- custom properties ---------------------------------------------------------------------


def _declarations(rules):
    """Every declaration of a parsed stylesheet, at any depth (rules, @page, @media, nesting)."""
    for rule in rules:
        if rule.type == "declaration":
            yield rule
        elif rule.type in ("qualified-rule", "at-rule") and rule.content is not None:
            yield from _declarations(tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                                    skip_whitespace=True))


def custom_properties(sheets: list[tuple[Path, list]], root_css: str) -> dict[str, list]:
    """--name -> its value's tokens: the layout's tokens (`:root` block) first, then every
    declaration of the stylesheets (the last one wins, as in the cascade for :root)."""
    out: dict[str, list] = {}
    for rule in tinycss2.parse_stylesheet(root_css, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            for decl in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
                if decl.type == "declaration" and decl.name.startswith("--"):
                    out[decl.name] = decl.value
    for _, rules in sheets:
        for decl in _declarations(rules):
            if decl.name.startswith("--"):
                out[decl.name] = decl.value
    return out


class _Undefined(Exception):
    def __init__(self, name: str):
        self.name = name


def substitute(tokens, defined: dict[str, list], depth: int = 0) -> list:
    """The tokens with every var() replaced by its value (or its fallback); raises
    _Undefined for a var() naming a property nobody defines and giving no fallback."""
    out = []
    for token in tokens:
        if isinstance(token, FunctionBlock) and token.lower_name == "var":
            args = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
            name = args[0].value if args and args[0].type == "ident" else ""
            comma = next((k for k, t in enumerate(token.arguments) if t.type == "literal" and t.value == ","), None)
            if name in defined and depth < MAX_DEPTH:
                out.extend(substitute(defined[name], defined, depth + 1))
            elif comma is not None:
                out.extend(substitute(token.arguments[comma + 1:], defined, depth + 1))
            else:
                raise _Undefined(name)
        elif isinstance(token, FunctionBlock):
            out.append(FunctionBlock(token.source_line, token.source_column, token.name,
                                     substitute(token.arguments, defined, depth)))
        elif token.type in ("() block", "[] block", "{} block"):
            clone = type(token)(token.source_line, token.source_column, substitute(token.content, defined, depth))
            out.append(clone)
        else:
            out.append(token)
    return out


def _var_names(tokens):
    for token in tokens:
        if isinstance(token, FunctionBlock):
            if token.lower_name == "var":
                args = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
                if args and args[0].type == "ident":
                    yield args[0].value, token, any(t.type == "literal" and t.value == "," for t in token.arguments)
            yield from _var_names(token.arguments)
        elif hasattr(token, "content") and isinstance(getattr(token, "content"), list):
            yield from _var_names(token.content)


# -- declarations --------------------------------------------------------------------------


def _validate_declaration(decl, defined: dict[str, list], base_url: str) -> str | None:
    """None when WeasyPrint will use the declaration, else why not."""
    from weasyprint.css.tokens import InvalidValues, remove_whitespace
    from weasyprint.css.validation import NOT_PRINT_MEDIA
    from weasyprint.css.validation.expanders import EXPANDERS
    from weasyprint.css.validation.properties import (
        KNOWN_PROPERTIES,
        PREFIX,
        PROPRIETARY,
        UNSTABLE,
        Pending,
        validate_non_shorthand,
    )

    name = decl.name if decl.name.startswith("--") else decl.lower_name
    for var_name, _, has_fallback in _var_names(decl.value):
        if var_name not in defined and not has_fallback:
            return None if name.startswith("--") else _unknown_var(var_name, defined)
    if name.startswith("--"):
        return None
    if name in NOT_PRINT_MEDIA:
        return None
    if name.startswith(PREFIX):
        bare = name[len(PREFIX):]
        if bare in PROPRIETARY or bare in UNSTABLE:
            name = bare
        else:
            return f"'{decl.name}': the {PREFIX} prefix is not supported here; write '{bare}'"
    elif name.startswith("-"):
        return None  # another renderer's prefix (-webkit-, -epub-): not for WeasyPrint
    if name not in KNOWN_PROPERTIES and name not in EXPANDERS:
        import difflib

        close = difflib.get_close_matches(name, sorted(KNOWN_PROPERTIES | set(EXPANDERS)), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown property '{decl.name}'{hint}; the declaration is ignored"
    try:
        tokens = remove_whitespace(substitute(decl.value, defined))
    except _Undefined as exc:  # pragma: no cover - caught above
        return _unknown_var(exc.name, defined)
    value = tinycss2.serialize(decl.value).strip()
    try:
        if not tokens:
            raise InvalidValues("no value")
        validator = EXPANDERS.get(name, validate_non_shorthand)
        result = list(validator(tokens, name, base_url))
    except InvalidValues as exc:
        reason = exc.args[0] if exc.args and exc.args[0] else "invalid value"
        return f"'{decl.name}: {value}': {reason}; the declaration is ignored"
    except Exception as exc:  # a validator tripping over an odd value: still not usable
        return f"'{decl.name}: {value}': invalid value ({type(exc).__name__}); the declaration is ignored"
    if any(isinstance(v, Pending) for _, v in result):
        return None  # still a var() WeasyPrint resolves later (a fallback)
    return None


def _unknown_var(name: str, defined: dict) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(defined), n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"var({name}): no layout token or stylesheet defines {name}{hint}; the declaration is ignored"


# -- rules ---------------------------------------------------------------------------------

PAGE_MARGIN_RULES = {
    "top-left-corner", "top-left", "top-center", "top-right", "top-right-corner", "bottom-left-corner",
    "bottom-left", "bottom-center", "bottom-right", "bottom-right-corner", "left-top", "left-middle",
    "left-bottom", "right-top", "right-middle", "right-bottom",
}


def check_rules(path: Path, rules, defined: dict[str, list], base_url: str, *, context: str = "top") -> list[CssProblem]:
    from cssselect2 import SelectorError, compile_selector_list

    problems: list[CssProblem] = []

    def add(node, message):
        problems.append(CssProblem(path, node.source_line, node.source_column, message))

    for rule in rules:
        if rule.type == "error":
            add(rule, f"CSS syntax error: {rule.message}")
        elif rule.type == "declaration":
            if context == "top":
                add(rule, f"declaration '{rule.name}' outside any rule")
                continue
            message = _validate_declaration(rule, defined, base_url)
            if message:
                add(rule, message)
        elif rule.type == "qualified-rule":
            if context in ("page", "margin", "font-face"):
                add(rule, f"a style rule cannot stand inside @{context}")
                continue
            try:
                compile_selector_list(rule.prelude)
            except SelectorError as exc:
                add(rule, f"invalid selector '{tinycss2.serialize(rule.prelude).strip()}' ({exc}); "
                          f"the whole rule is ignored")
                continue
            contents = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
            problems += check_rules(path, contents, defined, base_url, context="style")
        elif rule.type == "at-rule":
            keyword = rule.lower_at_keyword
            if keyword in ("charset", "import", "namespace"):
                continue
            if rule.content is None:
                add(rule, f"@{rule.at_keyword} needs a block {{ … }}")
                continue
            contents = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
            if keyword == "media" or keyword == "supports" or keyword == "layer":
                problems += check_rules(path, contents, defined, base_url, context=context)
            elif keyword == "page":
                problems += check_rules(path, contents, defined, base_url, context="page")
            elif keyword in PAGE_MARGIN_RULES and context == "page":
                problems += check_rules(path, contents, defined, base_url, context="margin")
            elif keyword == "font-face":
                problems += _font_face(path, rule, contents, base_url)
            elif keyword in ("counter-style", "font-feature-values", "property"):
                continue
            else:
                add(rule, f"unknown at-rule @{rule.at_keyword}; it is ignored")
    return problems


def _font_face(path: Path, rule, contents, base_url: str) -> list[CssProblem]:
    from weasyprint.css.tokens import InvalidValues, remove_whitespace
    from weasyprint.css.validation.descriptors import DESCRIPTORS

    problems = []
    for decl in contents:
        if decl.type != "declaration":
            if decl.type == "error":
                problems.append(CssProblem(path, decl.source_line, decl.source_column,
                                           f"CSS syntax error: {decl.message}"))
            continue
        known = DESCRIPTORS["font-face"]
        if decl.lower_name not in known:
            problems.append(CssProblem(path, decl.source_line, decl.source_column,
                                       f"unknown @font-face descriptor '{decl.name}'; it is ignored"))
            continue
        function = known[decl.lower_name]
        tokens = remove_whitespace(decl.value)
        try:
            value = function(tokens, base_url) if function.wants_base_url else function(tokens)
            if value is None:
                raise InvalidValues
        except InvalidValues as exc:
            reason = exc.args[0] if exc.args and exc.args[0] else "invalid value"
            problems.append(CssProblem(path, decl.source_line, decl.source_column,
                                       f"'{decl.name}: {tinycss2.serialize(decl.value).strip()}': {reason}"))
    return problems


# -- a stylesheet, a layout ----------------------------------------------------------------


def parse(path: Path):
    text = Path(path).read_text(encoding="utf-8")
    return text, tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)


def check_stylesheets(paths: list[Path], root_css: str = "") -> list[CssProblem]:
    """Every problem of these stylesheets, which are used together (one document)."""
    parsed = []
    problems: list[CssProblem] = []
    for path in paths:
        text, rules = parse(path)
        if "{{" in text or "{%" in text:  # a Jinja template (the EPUB's book.css): checked as rendered
            continue
        parsed.append((path, rules))
        problems += brace_problems(path, text)
    defined = custom_properties(parsed, root_css)
    for path, rules in parsed:
        problems += check_rules(path, rules, defined, Path(path).resolve().as_uri())
    return _unique(problems)


def _unique(problems):
    seen, out = set(), []
    for p in problems:
        key = (str(p.path), p.line, p.column, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return sorted(out, key=lambda p: (str(p.path), p.line, p.column))


def check_layout(layout) -> list[CssProblem]:
    """The problems of every print stylesheet of the layout (and collection.css, which
    collections add on top), with the layout's tokens as the custom properties."""
    sheets = list(layout.stylesheets("print"))
    try:
        sheets.append(layout.find("collection.css"))
    except MissingLayoutFile:  # optional
        pass
    return check_stylesheets(list(dict.fromkeys(sheets)), layout.css_variables("print"))


def format_problems(problems, strict: bool = False) -> str:
    return "\n".join(p.as_error() if strict else str(p) for p in problems)
