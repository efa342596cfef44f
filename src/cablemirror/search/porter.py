"""The English stemmer of the store's full-text index (FTS5's Porter), in Python.

The SQLite store indexes with ``tokenize = 'porter unicode61 remove_diacritics 2'``:
every folded word (``search.text.words``) is stemmed by FTS5's own Porter stemmer,
and a query word, a phrase word and even the stem of a ``prefix*`` go through it
too.  The static index must cut words exactly alike, or a search on the exported
site would find other cables than the live one: this is a re-implementation of
that stemmer (the classic Porter algorithm as FTS5 writes it), rule for rule:

- it works on the UTF-8 bytes of the folded word; words shorter than 3 or longer
  than 64 bytes are left alone;
- a vowel is a, e, i, o, u, and y after a consonant; every other byte (letters of
  other scripts included) is a consonant;
- where FTS5 would read the byte before the word (a stem shortened to one byte),
  nothing matches.

``search-static.js`` carries the same rules in JavaScript; tests compare both with
SQLite on every word of the corpus.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["stem"]

MAX_TOKEN = 64  # bytes: longer words are indexed as they are

_VOWELS = frozenset(b"aeiou")


def _is_vowel(c: int, y_is_vowel: bool) -> bool:
    return c in _VOWELS or (y_is_vowel and c == 0x79)  # y


def _gobble_vc(w: bytes | bytearray, start: int, n: int, prev_cons: bool) -> int:
    """After a run of vowels then a consonant (a "VC") in w[start:n]: how many bytes
    that took (0 when there is none)."""
    cons = prev_cons
    i = 0
    length = n - start
    while i < length:
        cons = not _is_vowel(w[start + i], cons)
        if not cons:
            break
        i += 1
    i += 1
    while i < length:
        cons = not _is_vowel(w[start + i], cons)
        if cons:
            return i + 1
        i += 1
    return 0


def _m_gt0(w: bytes | bytearray, n: int) -> bool:
    return _gobble_vc(w, 0, n, False) != 0


def _m_gt1(w: bytes | bytearray, n: int) -> bool:
    k = _gobble_vc(w, 0, n, False)
    return k != 0 and _gobble_vc(w, k, n, True) != 0


def _m_eq1(w: bytes | bytearray, n: int) -> bool:
    k = _gobble_vc(w, 0, n, False)
    return k != 0 and _gobble_vc(w, k, n, True) == 0


def _o_star(w: bytes | bytearray, n: int) -> bool:
    """Ends consonant-vowel-consonant, the last not w, x or y."""
    if n < 1 or w[n - 1] in b"wxy":
        return False
    mask = 0
    cons = False
    for i in range(n):
        cons = not _is_vowel(w[i], cons)
        mask = (mask << 1) + int(cons)
    return (mask & 7) == 5


def _has_vowel(w: bytes | bytearray, n: int) -> bool:
    return any(_is_vowel(w[i], i > 0) for i in range(n))


def _m_gt1_s_or_t(w: bytes | bytearray, n: int) -> bool:
    return n > 0 and w[n - 1] in b"st" and _m_gt1(w, n)


# Steps 2 to 4 and 1b as (suffix, condition on the stem, replacement), in the order
# FTS5 tries them: the first suffix that fits is the only one tried.
_Rule = tuple[bytes, object, bytes]
_STEP2: tuple[_Rule, ...] = tuple(
    (s.encode(), _m_gt0, r.encode())
    for s, r in (
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
        ("logi", "log"), ("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"),
        ("ization", "ize"), ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"),
        ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"),
    )
)
_STEP3: tuple[_Rule, ...] = tuple(
    (s.encode(), _m_gt0, r.encode())
    for s, r in (("ical", "ic"), ("ness", ""), ("icate", "ic"), ("iciti", "ic"), ("ful", ""), ("ative", ""),
                 ("alize", "al"))
)
_STEP4: tuple[_Rule, ...] = tuple(
    (s.encode(), _m_gt1_s_or_t if s == "ion" else _m_gt1, b"")
    for s in ("al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou",
              "ism", "ate", "iti", "ous", "ive", "ize")
)


def _by_key(rules: tuple[_Rule, ...]) -> dict[int, tuple[_Rule, ...]]:
    """FTS5 switches on the second-last byte, then tries that case's suffixes in order."""
    out: dict[int, list[_Rule]] = {}
    for rule in rules:
        out.setdefault(rule[0][-2], []).append(rule)
    return {k: tuple(v) for k, v in out.items()}


_STEP2_BY, _STEP3_BY, _STEP4_BY = _by_key(_STEP2), _by_key(_STEP3), _by_key(_STEP4)


def _apply(w: bytearray, n: int, table: dict[int, tuple[_Rule, ...]]) -> int:
    if n < 2:
        return n  # FTS5 would look at the byte before the word: no case matches
    for suffix, cond, repl in table.get(w[n - 2], ()):
        k = len(suffix)
        if n > k and w[n - k : n] == suffix:
            if cond(w, n - k):  # type: ignore[operator]
                w[n - k : n] = repl
                return n - k + len(repl)
            return n
    return n


def _step1a(w: bytearray, n: int) -> int:
    if w[n - 1] == 0x73:  # s
        if w[n - 2] == 0x65:  # e
            if (n > 4 and w[n - 4] == 0x73 and w[n - 3] == 0x73) or (n > 3 and w[n - 3] == 0x69):
                return n - 2
            return n - 1
        if w[n - 2] != 0x73:
            return n - 1
    return n


def _step1b(w: bytearray, n: int) -> tuple[int, bool]:
    """(new length, whether -ed or -ing was removed)."""
    if n < 2:
        return n, False
    key = w[n - 2]
    if key == 0x65:  # e
        if n > 3 and w[n - 3 : n] == b"eed":
            return (n - 1, False) if _m_gt0(w, n - 3) else (n, False)
        if n > 2 and w[n - 2 : n] == b"ed":
            return (n - 2, True) if _has_vowel(w, n - 2) else (n, False)
    elif key == 0x6E:  # n
        if n > 3 and w[n - 3 : n] == b"ing":
            return (n - 3, True) if _has_vowel(w, n - 3) else (n, False)
    return n, False


def _step1b2(w: bytearray, n: int) -> tuple[int, bool]:
    if n < 2:
        return n, False
    for suffix, repl in ((b"at", b"ate"), (b"bl", b"ble"), (b"iz", b"ize")):
        if n > 2 and w[n - 2 : n] == suffix:
            w[n - 2 : n] = repl
            return n + 1, True
    return n, False


def stem_bytes(token: bytes) -> bytes:
    """The stem of one folded word given as UTF-8 bytes."""
    n = len(token)
    if n > MAX_TOKEN or n < 3:
        return token
    w = bytearray(token)
    n = _step1a(w, n)
    n, removed = _step1b(w, n)
    del w[n:]
    if removed:
        n, replaced = _step1b2(w, n)
        if not replaced:
            c = w[n - 1]
            before = w[n - 2] if n >= 2 else -1
            if not _is_vowel(c, False) and c not in b"lsz" and c == before:
                n -= 1
            elif _m_eq1(w, n) and _o_star(w, n):
                del w[n:]
                w.append(0x65)  # e
                n += 1
    del w[n:]
    # Step 1c.
    if w[n - 1] == 0x79 and _has_vowel(w, n - 1):
        w[n - 1] = 0x69
    for table in (_STEP2_BY, _STEP3_BY, _STEP4_BY):
        n = _apply(w, n, table)
        del w[n:]
    # Step 5a.
    if w[n - 1] == 0x65 and (_m_gt1(w, n - 1) or (_m_eq1(w, n - 1) and not _o_star(w, n - 1))):
        n -= 1
    # Step 5b.
    if n > 1 and w[n - 1] == 0x6C and w[n - 2] == 0x6C and _m_gt1(w, n - 1):
        n -= 1
    return bytes(w[:n])


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """The index term of one folded word (``search.text.words`` output)."""
    if word.isascii():
        if len(word) < 3:
            return word
        return stem_bytes(word.encode("ascii")).decode("ascii")
    raw = word.encode("utf-8", "surrogatepass")
    out = stem_bytes(raw)
    if out == raw:
        return word
    # The stemmer only removes or rewrites ASCII suffixes, so the bytes stay valid UTF-8.
    return out.decode("utf-8", "surrogatepass")
