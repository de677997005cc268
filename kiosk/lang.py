"""Latvian text rules the core needs: alphabetical order, plural agreement, and
finding a name when it is typed without its diacritics."""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TypeVar

LV_ALPHABET = "aābcčdeēfgģhiījkķlļmnņoprsštuūvzž"
_LV_ORDER = {c: i for i, c in enumerate(LV_ALPHABET)}


@lru_cache(maxsize=65536)
def lv_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key in Latvian alphabetical order (Ģ after G, Š after S …); other characters after."""
    return tuple((0, _LV_ORDER[c]) if c in _LV_ORDER else (1, c) for c in text.casefold())


def surname(name: str) -> str:
    """The surname of a name written as Latvian names are ("Vārds Uzvārds"): its last word."""
    words = name.split()
    return words[-1] if words else ""


def surname_key(name: str) -> tuple:
    """Sort key for a roster: by surname, then by the whole name, in Latvian order."""
    return (lv_key(surname(name)), lv_key(name))


def lv_count(n: int, one: str, many: str) -> str:
    """Latvian agreement: 1, 21, 31 … take the singular (but 11 does not)."""
    return f"{n} {one if n % 10 == 1 and n % 100 != 11 else many}"


def count(n: int, lang: str, lv: tuple[str, str], en: tuple[str, str]) -> str:
    """``n`` with its noun in the language's agreement: count(21, "lv", ("balss", "balsis"), ("vote", "votes"))."""
    return lv_count(n, *lv) if lang != "en" else f"{n} {en[0] if n == 1 else en[1]}"


def fold(text: str) -> str:
    """Lower case without diacritics, for matching what a person types:
    "Kalniņš" -> "kalnins", "Ūdris Žvaigzne" -> "udris zvaigzne"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


T = TypeVar("T")


def search_names(query: str, entries: Iterable[T], name: Callable[[T], str], *,
                 extra: Callable[[T], Sequence[str]] | None = None, limit: int | None = None) -> list[T]:
    """The entries whose name matches a few typed letters, best first.

    Diacritics and case are optional ("kalnins" finds "Kalniņš"); every typed
    word must begin a word of the name (or of ``extra``, e.g. the roster
    number), in any order.  A match at the start of the surname ranks first,
    then at the start of any word; ties keep Latvian alphabetical order by
    surname.
    """
    words = fold(query).replace(",", " ").split()
    if not words:
        return []
    scored = []
    for entry in entries:
        full = name(entry)
        parts = fold(full).replace("-", " ").split()
        others = [fold(x) for x in (extra(entry) if extra else ())]
        if not all(any(p.startswith(w) for p in parts + others) for w in words):
            continue
        last = fold(surname(full)).replace("-", " ").split()
        rank = 0 if any(p.startswith(words[0]) for p in last) else 1
        if any(o == words[0] for o in others):
            rank = -1  # the exact number typed
        scored.append((rank, surname_key(full), entry))
    scored.sort(key=lambda s: (s[0], s[1]))
    found = [s[2] for s in scored]
    return found if limit is None else found[:limit]
