#!/usr/bin/env python3
"""Checks the crate's structure (run by .ci/run):

1. No import circle between the crate's files. Every path a file names (`use` items and
   `crate::…`, `super::…`, `self::…` paths in its code) is resolved to the file that defines
   the item, following re-exports (`pub use`) of module files; a module file's own
   `mod`/`pub use` lines are its table of contents, not imports. The files and these edges
   must form no cycle.
2. No production function longer than MAX_LINES lines (tests, `#[cfg(test)]` modules and
   generated tables are exempt).

Usage: scripts/check-structure.py [SRC_DIR]   (default: src)
Exit status 1 with the cycles and long functions listed, 0 when there are none.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

MAX_LINES = 120

SRC = Path(sys.argv[1] if len(sys.argv) > 1 else "src")


def strip_comments_and_strings(text: str) -> str:
    """The text with comments, strings and char literals blanked (lines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'r(#*)"', text[i:])
            hashes = m.group(1)
            end = text.find('"' + hashes, i + len(m.group(0)))
            end = n if end < 0 else end + 1 + len(hashes)
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i:j + 1]))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]):
            m = re.match(r"'(\\.|[^\\'])'", text[i:i + 4])
            out.append(" " * len(m.group(0)))
            i += len(m.group(0))
        elif c == "'" and re.match(r"'\\u\{[0-9a-fA-F]+\}'", text[i:i + 12]):
            m = re.match(r"'\\u\{[0-9a-fA-F]+\}'", text[i:i + 12])
            out.append(" " * len(m.group(0)))
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip_test_modules(text: str) -> str:
    """`#[cfg(test)] mod … { … }` blocks blanked (their imports are not the crate's)."""
    out = text
    for m in list(re.finditer(r"#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{", text)):
        start = m.start()
        j, depth = m.end(), 1
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        out = out[:start] + re.sub(r"[^\n]", " ", out[start:j]) + out[j:]
    return out


class Module:
    def __init__(self, path: tuple[str, ...], file: Path) -> None:
        self.path = path
        self.file = file
        self.children: dict[str, Module] = {}
        self.reexports: dict[str, tuple[str, ...]] = {}  # name -> absolute path
        self.globs: list[tuple[str, ...]] = []  # `pub use x::*`
        self.code = ""
        self.is_test = False


def module_file(parent: Module, name: str) -> Path | None:
    base = parent.file.parent if parent.file.name in ("mod.rs", "lib.rs", "main.rs") else parent.file.with_suffix("")
    for cand in (base / f"{name}.rs", base / name / "mod.rs"):
        if cand.exists():
            return cand
    return None


def load(mod: Module, all_mods: list[Module]) -> None:
    raw = mod.file.read_text()
    text = strip_comments_and_strings(raw)
    all_mods.append(mod)
    for m in re.finditer(r"(#\[cfg\(test\)\]\s*)?(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", text):
        f = module_file(mod, m.group(2))
        if f is None:
            continue
        child = Module(mod.path + (m.group(2),), f)
        child.is_test = bool(m.group(1)) or mod.is_test
        mod.children[m.group(2)] = child
        load(child, all_mods)
    mod.code = strip_test_modules(text)


def use_trees(code: str):
    """(is_pub, tree text) of every `use` item."""
    for m in re.finditer(r"(^|[;{}\s])((pub(\([^)]*\))?\s+)?use\s+)([^;]+);", code):
        yield bool(m.group(3)), m.group(5)


def expand(tree: str) -> list[list[str]]:
    """`a::{b, c::{d, e as f}, *}` as paths (the `as` renames dropped, `self` kept)."""
    tree = re.sub(r"\s+", "", tree)

    def go(prefix: list[str], t: str) -> list[list[str]]:
        if "{" not in t:
            t = t.split("as")[0] if re.search(r"\w+as\w+$", t) and "::" in t else t
            t = re.sub(r"(?<=\w)as\w+$", "", t) if False else t
            return [prefix + [p for p in t.split("::") if p]]
        head, rest = t.split("{", 1)
        body = rest[: rest.rfind("}")]
        parts, depth, cur = [], 0, ""
        for ch in body:
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
                continue
            depth += {"{": 1, "}": -1}.get(ch, 0)
            cur += ch
        if cur:
            parts.append(cur)
        base = prefix + [p for p in head.split("::") if p]
        out = []
        for p in parts:
            out.extend(go(base, p))
        return out

    paths = go([], tree)
    cleaned = []
    for p in paths:
        if p and re.search(r"as[A-Za-z_]\w*$", p[-1]) and len(p[-1]) > 2:
            # `x as y` after whitespace removal reads `xasy`: keep the left side.
            m = re.match(r"(\w+?)as(\w+)$", p[-1])
            if m and m.group(1):
                p = p[:-1] + [m.group(1)]
        cleaned.append(p)
    return cleaned


def absolute(mod: Module, path: list[str]) -> tuple[str, ...] | None:
    if not path:
        return None
    if path[0] == "crate":
        return tuple(path[1:])
    if path[0] == "self":
        return mod.path + tuple(path[1:])
    if path[0] == "super":
        base = list(mod.path)
        while path and path[0] == "super":
            if not base:
                return None
            base.pop()
            path = path[1:]
        return tuple(base) + tuple(path)
    if path[0] in mod.children:
        return mod.path + tuple(path)
    return None  # an external crate or a prelude name


def find(root: Module, path: tuple[str, ...]) -> tuple[Module, tuple[str, ...]]:
    """The deepest module on `path`, and the rest of the path."""
    mod = root
    i = 0
    while i < len(path) and path[i] in mod.children:
        mod = mod.children[path[i]]
        i += 1
    return mod, path[i:]


def defining_file(root: Module, path: tuple[str, ...], seen=None) -> Path:
    seen = seen or set()
    mod, rest = find(root, path)
    if rest and (mod.file, rest[0]) not in seen:
        seen.add((mod.file, rest[0]))
        if rest[0] in mod.reexports:
            return defining_file(root, mod.reexports[rest[0]] + rest[1:], seen)
        for g in mod.globs:
            target, _ = find(root, g)
            if target is not mod and rest[0] in defined_names(target):
                return defining_file(root, g + rest, seen)
    return mod.file


_defined: dict[Path, set[str]] = {}


def defined_names(mod: Module) -> set[str]:
    if mod.file not in _defined:
        names = set(re.findall(r"\b(?:fn|struct|enum|trait|type|const|static|mod)\s+(\w+)", mod.code))
        names |= set(re.findall(r"macro_rules!\s*(\w+)", mod.code))
        names |= set(mod.reexports)
        _defined[mod.file] = names
    return _defined[mod.file]


def main() -> int:
    root_file = SRC / "lib.rs"
    root = Module((), root_file)
    mods: list[Module] = []
    load(root, mods)
    # Re-exports first: they are the tables of contents.
    for mod in mods:
        for is_pub, tree in use_trees(mod.code):
            if not is_pub:
                continue
            for p in expand(tree):
                a = absolute(mod, p)
                if a is None:
                    continue
                if p[-1] == "*":
                    mod.globs.append(a[:-1])
                else:
                    mod.reexports[p[-1]] = a
    edges: dict[Path, set[Path]] = {m.file: set() for m in mods if not m.is_test}
    by_file = {m.file: m for m in mods}
    for mod in mods:
        if mod.is_test:
            continue
        targets: list[tuple[str, ...]] = []
        code_wo_uses = mod.code
        for is_pub, tree in use_trees(mod.code):
            if is_pub and mod.file.name in ("mod.rs", "lib.rs"):
                continue  # a module file's table of contents
            for p in expand(tree):
                a = absolute(mod, p)
                if a is not None and p[-1] != "*":
                    targets.append(a)
                elif a is not None:
                    targets.append(a[:-1])
        code_wo_uses = re.sub(r"(pub(\([^)]*\))?\s+)?use\s+[^;]+;", " ", code_wo_uses)
        # A module file's own code naming what it re-exports uses the defining file.
        if mod.file.name in ("mod.rs", "lib.rs"):
            for name, target in mod.reexports.items():
                if re.search(rf"(?<![\w:]){re.escape(name)}\b", code_wo_uses):
                    targets.append(target)
        for m in re.finditer(r"\b((?:crate|super|self)(?:::\w+)+)", code_wo_uses):
            a = absolute(mod, m.group(1).split("::"))
            if a is not None:
                targets.append(a)
        for t in targets:
            f = defining_file(root, t)
            if f != mod.file and f in edges:
                edges[mod.file].add(f)
    # Cycles: strongly connected components of more than one file (Tarjan).
    index: dict[Path, int] = {}
    low: dict[Path, int] = {}
    stack: list[Path] = []
    on: set[Path] = set()
    sccs: list[list[Path]] = []
    counter = [0]

    def strong(v: Path) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            strong(v)
    failed = False
    for comp in sccs:
        failed = True
        names = [str(p.relative_to(SRC)) for p in comp]
        print(f"import circle among {len(comp)} files: {', '.join(names)}")
        members = set(comp)
        for a in comp:
            for b in sorted(edges[a] & members):
                print(f"  {a.relative_to(SRC)} -> {b.relative_to(SRC)}")
    # Long functions.
    for mod in mods:
        if mod.is_test or "bench_support" in mod.file.name:
            continue
        lines = mod.code.split("\n")
        for i, line in enumerate(lines):
            m = re.match(r"\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)", line)
            if not m:
                continue
            # Find the body's opening brace, then its end.
            text = "\n".join(lines[i:])
            j, depth = 0, 0
            while j < len(text) and text[j] not in "{;":
                j += 1
            if j >= len(text) or text[j] == ";":
                continue
            start_line = i
            depth, k = 0, j
            while k < len(text):
                if text[k] == "{":
                    depth += 1
                elif text[k] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            length = text[:k].count("\n") + 1
            if length > MAX_LINES:
                failed = True
                print(f"function `{m.group(6)}` in {mod.file.relative_to(SRC)}:{start_line + 1} has {length} lines (at most {MAX_LINES})")
    if not failed:
        print(f"no import circle among {len(edges)} files; no function over {MAX_LINES} lines")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
