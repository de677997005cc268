"""Latvian text rules the core needs: alphabetical order and plural agreement."""
from __future__ import annotations

LV_ALPHABET = "aābcčdeēfgģhiījkķlļmnņoprsštuūvzž"
_LV_ORDER = {c: i for i, c in enumerate(LV_ALPHABET)}


def lv_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key in Latvian alphabetical order (Ģ after G, Š after S …); other characters after."""
    return tuple((0, _LV_ORDER[c]) if c in _LV_ORDER else (1, c) for c in text.casefold())


def lv_count(n: int, one: str, many: str) -> str:
    """Latvian agreement: 1, 21, 31 … take the singular (but 11 does not)."""
    return f"{n} {one if n % 10 == 1 and n % 100 != 11 else many}"


def count(n: int, lang: str, lv: tuple[str, str], en: tuple[str, str]) -> str:
    """``n`` with its noun in the language's agreement: count(21, "lv", ("balss", "balsis"), ("vote", "votes"))."""
    return lv_count(n, *lv) if lang != "en" else f"{n} {en[0] if n == 1 else en[1]}"
