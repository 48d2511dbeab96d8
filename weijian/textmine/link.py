"""Linking indicator phrases to catalogue codes.

A `Lexicon` holds the names and aliases of catalogue indicators (the caller supplies them; the
engine knows no database) in one Aho-Corasick automaton, so a phrase is matched against every
name in a single pass over its characters, however large the catalogue. The longest name found
wins ("孕产妇死亡率" over "死亡率"); among equally long names, the one nearest the end of the
phrase (nearest the figure, when the phrase is the text before it).
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick

_FOLD = {ord("（"): "(", ord("）"): ")", ord("％"): "%", ord("　"): " "}


def _fold(s: str) -> str:
    return s.translate(_FOLD).strip()


class Lexicon:
    """Names and aliases → indicator codes, matched longest-first."""

    def __init__(self, entries: Iterable[tuple[str, str]] = ()) -> None:
        self._automaton = ahocorasick.Automaton()
        self._size = 0
        for name, code in entries:
            self.add(name, code)
        self._built = False

    def add(self, name: str, code: str) -> None:
        """Add one name or alias; a name given twice keeps its first code."""
        key = _fold(name or "")
        if not key or not code:
            return
        if key not in self._automaton:
            self._automaton.add_word(key, (len(key), key, str(code)))
            self._size += 1
        self._built = False

    def __len__(self) -> int:
        return self._size

    def _ready(self) -> bool:
        if not self._size:
            return False
        if not self._built:
            self._automaton.make_automaton()
            self._built = True
        return True

    def matches(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every name in `text` as (start, end, name, code), longest first where they overlap."""
        if not text or not self._ready():
            return []
        text = _fold(text)
        found = [(end + 1 - n, end + 1, name, code) for end, (n, name, code) in self._automaton.iter(text)]
        found.sort(key=lambda m: (-(m[1] - m[0]), -m[1]))
        taken: list[tuple[int, int, str, str]] = []
        for m in found:
            if all(m[1] <= t[0] or m[0] >= t[1] for t in taken):
                taken.append(m)
        return sorted(taken)

    def link(self, text: str | None) -> str | None:
        """The code of the longest catalogue name in `text` (nearest the end on ties), or None."""
        if not text or not self._ready():
            return None
        best: tuple[int, int, str] | None = None
        for end, (n, _name, code) in self._automaton.iter(_fold(text)):
            if best is None or (n, end) > best[:2]:
                best = (n, end, code)
        return best[2] if best else None
