"""Search that works for Chinese, on FTS5 with terms computed here.

FTS5's ``unicode61`` tokenizer keeps a run of hanzi as one token (张伟明 is a
single word to it), and the ``trigram`` tokenizer cannot match the 2-character
names that are most of the client book (张伟). So the store tokenizes itself
and hands FTS5 space-separated terms, indexed with ``unicode61`` in a
contentless ``detail=none`` table (only rowids are stored; small and fast):

* names: every hanzi (unigram) and every pair of neighbouring hanzi (bigram),
  and each Latin/digit word prefixed ``n`` (business names such as "ABC农资").
  A 1-character query is a unigram, a 2-character query a bigram, a longer one
  the AND of its bigrams, confirmed against the name with LIKE.
* places: bigrams of the township and village name, prefixed ``g`` (石桥村 ->
  g石桥 g桥村), so "石桥" finds everyone in 石桥村 as well as a 石桥 in a name.
* numbers: phone last 4 (``p5678``), ID last 4 and last 6 (``i1234``,
  ``i00123x``). Whole phone, ID and client numbers use B-tree indexes instead.
* attributes for the filter panel, one term each: tag ``t<id>``, segment
  ``s<code>``, tier ``r<n>``, lifecycle ``l<code>``, village ``v<id>``,
  township ``w<id>``, manager ``m<id>``, mobile banking ``mbs1``/``mba1``,
  consent ``cy``/``cn``/``cu``, potential ``pt1``. Intersections of large sets
  (two tags of 30% each) are FTS5 doclist merges: milliseconds at a million.

Prefixes keep the vocabularies apart: hanzi name terms have no prefix and every
other term starts with an ASCII letter; Latin name words carry ``n``, which no
attribute term starts with. Tombstoned (deleted) clients are not indexed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_WORD = re.compile(r"[0-9A-Za-z]+")
# Unified ideographs only: NFKC leaves them as they are (compatibility ideographs it does not).
_PLAIN_HANZI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_DIGITS_X = re.compile(r"^[0-9]{3,17}[0-9Xx]$")


def _norm(text: str) -> str:
    """NFKC: full-width digits and letters become ASCII (１３８ -> 138)."""
    return unicodedata.normalize("NFKC", text)


def cjk_grams(text: str, *, unigrams: bool = True) -> list[str]:
    """Unigrams (optional) and bigrams of each run of hanzi in ``text``."""
    out: list[str] = []
    for run in _CJK.findall(text):
        if unigrams:
            out.extend(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def name_terms(name: str) -> list[str]:
    if _PLAIN_HANZI.fullmatch(name):  # most names: one run of hanzi, nothing to normalise
        return [*name, *(name[i : i + 2] for i in range(len(name) - 1))]
    name = _norm(name)
    terms = cjk_grams(name)
    terms.extend("n" + w.lower() for w in _WORD.findall(name))
    return terms


def place_terms(*names: str) -> list[str]:
    terms: list[str] = []
    for n in names:
        terms.extend("g" + g for g in cjk_grams(_norm(n), unigrams=False))
    return terms


# Names, places and attribute combinations repeat across a client book (a few hundred
# villages, common names, a handful of segments and tiers): bulk loads and first syncs
# compute each one's terms once.
@functools.lru_cache(maxsize=65536)
def _name_text(name: str) -> str:
    return " ".join(name_terms(name))


@functools.lru_cache(maxsize=4096)
def _place_text(village_id: int, township_id: int, village: str, township: str) -> str:
    return " ".join([*place_terms(township, village), f"v{village_id}", f"w{township_id}"])


@functools.lru_cache(maxsize=4096)
def _attr_text(
    segment: str, tier: int, lifecycle: str, mb_signed: bool, mb_active: bool, consent: bool | None, potential: bool
) -> str:
    return " ".join((
        f"s{_code(segment)}",
        f"r{tier}",
        f"l{_code(lifecycle)}",
        "mbs1" if mb_signed else "mbs0",
        "mba1" if mb_active else "mba0",
        "cu" if consent is None else ("cy" if consent else "cn"),
        "pt1" if potential else "pt0",
    ))


@dataclass(frozen=True, slots=True)
class IndexedClient:
    """What the index needs to know about one client (all from its row)."""

    name: str
    mobile: str | None
    id_number: str | None
    village_id: int
    township_id: int
    village_name: str
    township_name: str
    segment: str
    tier: int
    lifecycle: str
    manager_id: int | None
    mb_signed: bool
    mb_active: bool
    consent: bool | None
    potential: bool
    tag_ids: Sequence[int] = ()


def client_terms(c: IndexedClient) -> str:
    """The FTS5 document for one client: space-separated terms."""
    return client_document(
        c.name, c.mobile, c.id_number, c.village_id, c.township_id, c.village_name, c.township_name, c.segment,
        c.tier, c.lifecycle, c.manager_id, c.mb_signed, c.mb_active, c.consent, c.potential, c.tag_ids,
    )


def client_document(
    name: str,
    mobile: str | None,
    id_number: str | None,
    village_id: int,
    township_id: int,
    village_name: str,
    township_name: str,
    segment: str,
    tier: int,
    lifecycle: str,
    manager_id: int | None,
    mb_signed: bool,
    mb_active: bool,
    consent: bool | None,
    potential: bool,
    tag_ids: Sequence[int] = (),
) -> str:
    """``client_terms`` with the fields as arguments: what bulk loads call, once per row."""
    terms = [
        _name_text(name),
        _place_text(village_id, township_id, village_name, township_name),
        _attr_text(segment, tier, lifecycle, bool(mb_signed), bool(mb_active),
                   None if consent is None else bool(consent), bool(potential)),
    ]
    if mobile and len(mobile) >= 4:
        terms.append("p" + mobile[-4:])
    if id_number and len(id_number) >= 6:
        tail = id_number[-6:].lower()
        terms.append("i" + tail[2:])
        terms.append("i" + tail)
    if manager_id is not None:
        terms.append(f"m{manager_id}")
    for t in tag_ids:
        terms.append(f"t{t}")
    return " ".join(terms)


# --- queries -----------------------------------------------------------------


@dataclass(frozen=True)
class ClientFilter:
    """What the client table shows: the search box plus the filter panel.

    Empty collections mean "no restriction". ``text`` follows the search-box
    rules in ``compile_filter``. ``manager_ids`` is also how a 客户经理's
    view is restricted to their own clients (set by the service, not the UI).
    """

    text: str = ""
    tags_all: tuple[int, ...] = ()
    tags_any: tuple[int, ...] = ()
    segments: tuple[str, ...] = ()
    tiers: tuple[int, ...] = ()
    lifecycles: tuple[str, ...] = ()
    township_ids: tuple[int, ...] = ()
    village_ids: tuple[int, ...] = ()
    manager_ids: tuple[int, ...] = ()
    mb_signed: bool | None = None
    mb_active: bool | None = None
    consent: tuple[str, ...] = ()  # any of "yes", "no", "unknown"
    potential: bool | None = None

    def is_empty(self) -> bool:
        return self == ClientFilter()

    def to_dict(self) -> dict[str, Any]:
        """By field name (saved views): lists for the tuples."""
        return {f.name: list(v) if isinstance(v, tuple) else v for f in fields(self) if (v := getattr(self, f.name))
                != f.default}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> tuple[ClientFilter, list[str]]:
        """A filter from ``to_dict``'s form, and the names it did not know (a saved view from a version
        whose filter had other fields loses those, never the whole view)."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        dropped = []
        for k, v in d.items():
            f = known.get(k)
            if f is None:
                dropped.append(k)
                continue
            values[k] = tuple(v) if isinstance(v, list) else v
        return cls(**values), dropped


@dataclass
class CompiledFilter:
    """SQL pieces for ``clients c``: a WHERE clause and its parameters.

    ``match`` is the FTS5 expression (None when no FTS term is needed); the
    repository puts it into ``c.id IN (SELECT rowid FROM client_search WHERE
    client_search MATCH ?)``.
    """

    match: str | None = None
    where: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)
    impossible: bool = False  # e.g. a 4-char query that is neither digits nor a name


def _code(value: str) -> str:
    """An attribute value as one unicode61 token ("churn_warning" would be two)."""
    return value.replace("_", "")


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _any(terms: Iterable[str]) -> str:
    terms = [_quote(t) for t in terms]
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def _all(terms: Iterable[str]) -> str:
    terms = [_quote(t) for t in terms]
    return terms[0] if len(terms) == 1 else "(" + " AND ".join(terms) + ")"


def normalize_mobile_query(text: str) -> str | None:
    digits = re.sub(r"[\s-]", "", text)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits if re.fullmatch(r"1[3-9]\d{9}", digits) else None


Places = Callable[[str], tuple[list[int], list[int]]]
Probe = Callable[[str], int]


def _text_clause(
    word: str, out: CompiledFilter, fts: list[str], places: Places | None = None, probe: Probe | None = None
) -> None:
    """One whitespace-separated word of the search box."""
    word = _norm(word).strip()
    if not word:
        return
    mobile = normalize_mobile_query(word)
    if mobile:
        out.where.append("c.mobile = ?")
        out.params.append(mobile)
        return
    upper = word.upper()
    if len(upper) == 18 and re.fullmatch(r"[0-9A-Z]{18}", upper):
        out.where.append("c.id_number = ?")
        out.params.append(upper)
        return
    if _DIGITS_X.match(word) and len(word) in (4, 6):
        tail = word.lower()
        fts.append(_any(["p" + tail, "i" + tail]) if len(tail) == 4 else _quote("i" + tail))
        return
    if re.fullmatch(r"[A-Za-z]{1,4}\d{6,}", word):  # a core-banking client number
        # (or a name with that word in it, from the name index: a LIKE over the names read the whole book,
        # 9 s at a million clients)
        out.where.append("(c.client_no = ? OR c.id IN (SELECT rowid FROM client_search WHERE client_search MATCH ?))")
        out.params += [upper, _quote("n" + word.lower())]
        return
    hanzi = "".join(_CJK.findall(word))
    latin = [w.lower() for w in _WORD.findall(word)]
    parts: list[str] = []
    if hanzi:
        runs = _CJK.findall(word)
        if len(hanzi) == 1:
            parts.append(_quote(hanzi))
        else:
            grams = [g for run in runs for g in cjk_grams(run, unigrams=len(run) == 1)]
            name_side = _all(grams)
            place_grams = [g for run in runs for g in cjk_grams(run, unigrams=False)]
            if place_grams and len(runs) == 1:
                parts.append(f"({name_side} OR {_all('g' + g for g in place_grams)})")
            else:
                parts.append(name_side)
            if len(hanzi) >= 3 and len(runs) == 1 and places is not None:
                # Exact places from the reference data (v/w terms, no row checks), and
                # the name side only when some name holds all the bigrams at all.
                townships, villages = places(runs[0])
                place_terms = [f"w{t}" for t in townships] + [f"v{v}" for v in villages]
                names_possible = probe is None or probe(name_side) > 0
                if names_possible:
                    alternatives = [f"({name_side})", *(_quote(t) for t in place_terms)]
                    parts[-1] = "(" + " OR ".join(alternatives) + ")"
                    checks = ["c.name LIKE ?"]
                    out.params.append(f"%{runs[0]}%")
                    if townships:
                        checks.append(f"c.village_id IN (SELECT id FROM villages WHERE township_id IN"
                                      f" ({','.join(str(int(t)) for t in townships)}))")
                    if villages:
                        checks.append(f"c.village_id IN ({','.join(str(int(v)) for v in villages)})")
                    out.where.append("(" + " OR ".join(checks) + ")")
                elif place_terms:
                    parts[-1] = _any(place_terms)
                else:
                    out.impossible = True
                    return
            elif len(hanzi) >= 3 and len(runs) == 1:
                # bigrams can match out of order (张小伟 vs 小伟张); confirm the name
                # or the place contains the run itself.
                out.where.append(
                    "(c.name LIKE ? OR EXISTS (SELECT 1 FROM villages v JOIN townships w "
                    "ON w.id = v.township_id WHERE v.id = c.village_id "
                    "AND (v.name LIKE ? OR w.name LIKE ?)))"
                )
                pat = f"%{runs[0]}%"
                out.params += [pat, pat, pat]
    for w in latin:
        parts.append(_quote("n" + w) + "*")
    if not parts:
        out.impossible = True
        return
    fts.append(parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")")


def compile_filter(f: ClientFilter, *, places: Places | None = None, probe: Probe | None = None) -> CompiledFilter:
    """Turn a ClientFilter into SQL for ``clients c`` (deleted rows excluded).

    Search-box words are ANDed. Each word is, in this order: a mobile number
    (exact), an 18-character ID or credit code (exact), 4 digits (phone or ID
    last 4), 6 digits/X (ID last 6), a client number, else text matched
    against names and township/village names.
    """
    out = CompiledFilter()
    out.where.append("c.deleted = 0")
    fts: list[str] = []
    # "+86 138 0013 8000" and "138-0013-8000" are one phone number, not several words
    text = re.sub(r"(?:\+86|0086)\s*(?=1[3-9])", "", f.text)
    text = re.sub(r"(?<!\d)(1[3-9]\d)[\s-]+(\d{4})[\s-]+(\d{4})(?!\d)", r"\1\2\3", text)
    for word in text.split():
        _text_clause(word, out, fts, places, probe)
    if f.tags_all:
        fts.append(_all(f"t{t}" for t in f.tags_all))
    if f.tags_any:
        fts.append(_any(f"t{t}" for t in f.tags_any))
    for prefix, values in (
        ("s", f.segments),
        ("r", f.tiers),
        ("l", f.lifecycles),
        ("w", f.township_ids),
        ("v", f.village_ids),
        ("m", f.manager_ids),
    ):
        if values:
            fts.append(_any(f"{prefix}{_code(str(v))}" for v in values))
    if f.mb_signed is not None:
        fts.append(_quote("mbs1" if f.mb_signed else "mbs0"))
    if f.mb_active is not None:
        fts.append(_quote("mba1" if f.mb_active else "mba0"))
    if f.consent:
        codes = {"yes": "cy", "no": "cn", "unknown": "cu"}
        fts.append(_any(codes[c] for c in f.consent))
    if f.potential is not None:
        fts.append(_quote("pt1" if f.potential else "pt0"))
    if fts:
        out.match = " AND ".join(fts)
    return out
