"""Reports carry only the CSS they use: JupyterLab's stylesheets pruned to the rules that can match the page.

The page's own elements decide: a rule is kept when one of its selectors names only classes and tags
the page has (what sits inside ``:not(...)`` does not count, attributes and states are kept as
written), and a custom property (``--jp-...``) is kept when a kept rule uses it, directly or through
another property. ``@media``/``@supports`` blocks are pruned inside; ``@font-face``, ``@page`` and the
like are kept whole, ``@keyframes`` only when a kept rule names them. Stylesheets are parsed once per
process (every report of a run has the same ones); pruning a page is then a filter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S | re.I)
COMMENT = re.compile(r"/\*.*?\*/", re.S)
NOT = re.compile(r":not\((?:[^()]|\([^()]*\))*\)|:where\((?:[^()]|\([^()]*\))*\)|:is\((?:[^()]|\([^()]*\))*\)|:has\((?:[^()]|\([^()]*\))*\)")
CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
TAG = re.compile(r"(?:^|[\s>+~(])([a-zA-Z][a-zA-Z0-9]*)")
VAR_USE = re.compile(r"var\(\s*(--[\w-]+)")
VAR_DEFINE = re.compile(r"(--[\w-]+)\s*:")
ANIMATION = re.compile(r"animation(?:-name)?\s*:\s*([^;}]+)")
BODY_CLASSES = re.compile(r'class\s*=\s*"([^"]*)"|class\s*=\s*\'([^\']*)\'')
BODY_TAGS = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")
ALWAYS_TAGS = {"html", "body", "head"}


@dataclass(frozen=True)
class Rule:
    """One rule: its text, what its selectors need (each a set of classes and a set of tags), what it uses."""

    text: str
    needs: tuple[tuple[frozenset[str], frozenset[str]], ...] | None  # None: keep whatever the page has (an at-rule)
    uses: frozenset[str]  # custom properties it reads
    defines: frozenset[str]  # custom properties it sets (kept only when used)
    animations: frozenset[str]
    children: tuple[Rule, ...] = ()  # inside @media / @supports
    keyframes: str | None = None
    group: str = ""  # the @media / @supports prelude of a rule with children


def _scan(text: str, opening: str, closing: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, depth) of each ``opening`` and ``closing`` bracket and each ';' outside strings; the
    depth is the nesting outside the character (before an opening, after a closing bracket)."""
    depth, quote = 0, ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote and text[index - 1] != "\\" else quote
        elif char in "\"'":
            quote = char
        elif char == opening:
            yield index, char, depth
            depth += 1
        elif char == closing:
            depth -= 1
            yield index, char, depth
        elif char == ";":
            yield index, char, depth


def _blocks(css: str) -> list[tuple[str, str]]:
    """Top-level ``prelude { body }`` pairs of a stylesheet (strings and comments handled)."""
    css = COMMENT.sub("", css)
    pairs, start, prelude_end = [], 0, 0
    for index, char, depth in _scan(css, "{", "}"):
        if depth != 0:
            continue
        if char == "{":
            prelude_end = index
        elif char == "}":
            pairs.append((css[start:prelude_end].strip(), css[prelude_end + 1:index]))
            start = index + 1
        else:  # @import / @charset
            pairs.append((css[start:index].strip(), ""))
            start = index + 1
    return pairs


@lru_cache(maxsize=4096)
def _declarations(body: str) -> tuple[str, ...]:
    """The declarations of a rule's body, split on the semicolons outside strings and brackets (data: URLs have some)."""
    parts, start = [], 0
    for index, char, depth in _scan(body, "(", ")"):
        if char == ";" and depth == 0:
            parts.append(body[start:index])
            start = index + 1
    parts.append(body[start:])
    return tuple(part for part in parts if part.strip())


def _needs(selector: str) -> tuple[frozenset[str], frozenset[str]]:
    plain = NOT.sub("", selector)
    plain = re.sub(r"\[[^\]]*\]", "", plain)  # attribute selectors are not filtered on
    plain = re.sub(r"::?[\w-]+(?:\([^()]*\))?", "", plain)  # states and pseudo-elements neither, with their arguments
    return frozenset(CLASS.findall(plain)), frozenset(t.lower() for t in TAG.findall(re.sub(r"\.[\w-]+|#[\w-]+", " ", plain)))


def _rule(prelude: str, body: str) -> Rule:
    if prelude.startswith("@media") or prelude.startswith("@supports"):
        children = tuple(_rule(p, b) for p, b in _blocks(body))
        return Rule("", None, frozenset(), frozenset(), frozenset(), children, group=prelude)
    if prelude.startswith("@keyframes") or prelude.startswith("@-webkit-keyframes"):
        return Rule(f"{prelude}{{{body}}}", None, frozenset(), frozenset(), frozenset(), keyframes=prelude.split()[-1])
    text = f"{prelude}{{{body}}}" if body or not prelude.startswith("@") else f"{prelude};"
    uses = frozenset(VAR_USE.findall(";".join(d for d in _declarations(body) if not d.strip().startswith("--"))))
    animations = frozenset(word for value in ANIMATION.findall(body) for word in re.findall(r"[\w-]+", value))
    if prelude.startswith("@"):
        return Rule(text, None, uses, frozenset(VAR_DEFINE.findall(body)), animations)
    needs = tuple(_needs(selector) for selector in prelude.split(","))
    return Rule(text, needs, uses, frozenset(VAR_DEFINE.findall(body)), animations)


@lru_cache(maxsize=32)
def parse(css: str) -> tuple[Rule, ...]:
    """A stylesheet's rules (cached: the same stylesheets come with every report)."""
    return tuple(_rule(prelude, body) for prelude, body in _blocks(css))


def _matches(rule: Rule, classes: set[str], tags: set[str]) -> bool:
    if rule.needs is None:
        return True
    return any(need <= classes and wanted <= tags for need, wanted in rule.needs)


def _kept(rules: tuple[Rule, ...], classes: set[str], tags: set[str]) -> list[Rule]:
    kept = []
    for rule in rules:
        if rule.children:
            inner = _kept(rule.children, classes, tags)
            if inner:
                kept.append(Rule("", None, frozenset(), frozenset(), frozenset(), tuple(inner), group=rule.group))
        elif _matches(rule, classes, tags):
            kept.append(rule)
    return kept


def _flatten(rules: list[Rule]) -> list[Rule]:
    return [leaf for rule in rules for leaf in (_flatten(list(rule.children)) if rule.children else [rule])]


def _used_variables(rules: list[Rule], definitions: dict[str, set[str]]) -> set[str]:
    """The custom properties kept rules read, with those the definitions of these read in turn."""
    used = set().union(*(rule.uses for rule in _flatten(rules)))
    frontier = set(used)
    while frontier:
        frontier = set().union(*(definitions.get(name, set()) for name in frontier)) - used
        used |= frontier
    return used


def _definitions(rules: list[Rule]) -> dict[str, set[str]]:
    """--name -> the custom properties its value reads (over every declaration of it)."""
    found: dict[str, set[str]] = {}
    for rule in _flatten(rules):
        body = rule.text[rule.text.find("{") + 1:]
        for declaration in _declarations(body):
            name, _, value = declaration.partition(":")
            name = name.strip()
            if name.startswith("--"):
                found.setdefault(name, set()).update(VAR_USE.findall(value))
    return found


def _render(rules: list[Rule], used: set[str], animations: set[str]) -> str:
    out = []
    for rule in rules:
        if rule.children:
            inner = _render(list(rule.children), used, animations)
            if inner:
                out.append(f"{rule.group}{{{inner}}}")
        elif rule.keyframes is not None:
            if rule.keyframes in animations:
                out.append(rule.text)
        elif rule.defines:
            out.append(_only_used(rule.text, used))
        else:
            out.append(rule.text)
    return "\n".join(part for part in out if part)


def _only_used(text: str, used: set[str]) -> str:
    """A rule with the custom properties nobody reads taken out (nothing when none is left)."""
    prelude, _, body = text.partition("{")
    body = body.rstrip().removesuffix("}")
    declarations = [d for d in _declarations(body) if not d.strip().startswith("--") or d.split(":", 1)[0].strip() in used]
    return f"{prelude}{{{';'.join(declarations)}}}" if declarations else ""


def page_vocabulary(page: str) -> tuple[set[str], set[str]]:
    """The classes and tags a page's body uses."""
    body = page[page.find("<body"):] if "<body" in page else page
    body = STYLE.sub("", body)
    classes = {name for a, b in BODY_CLASSES.findall(body) for name in (a or b).split()}
    tags = {tag.lower() for tag in BODY_TAGS.findall(body)} | ALWAYS_TAGS
    return classes, tags


def prune(page: str) -> str:
    """``page`` with each of its ``<style>`` blocks cut to the rules its elements can match."""
    classes, tags = page_vocabulary(page)
    sheets = []
    for match in STYLE.finditer(page):
        rules = parse(match.group(2))
        kept = _kept(rules, classes, tags)
        sheets.append((match, kept))
    every = [rule for _, kept in sheets for rule in kept]
    used = _used_variables(every, _definitions(every))
    animations = set().union(*(rule.animations for rule in _flatten(every))) if every else set()
    pieces, last = [], 0
    for match, kept in sheets:
        text = _render(kept, used, animations)
        pieces.append(page[last:match.start()])
        if text.strip():
            pieces.append(f"{match.group(1)}\n{text}\n{match.group(3)}")
        last = match.end()
    pieces.append(page[last:])
    return "".join(pieces)
