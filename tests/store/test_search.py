"""Search that works for Chinese, checked against a brute-force oracle over the demo county."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.store.clients import ClientRepository
from app.store.search import (
    _WORD,
    ClientFilter,
    IndexedClient,
    _norm,
    cjk_grams,
    client_terms,
    compile_filter,
    name_terms,
)
from app.store.store import Store


@dataclass
class Row:
    id: int
    name: str
    place: str
    township: str
    village_id: int
    township_id: int
    mobile: str
    id_number: str
    tags: set[int]
    segment: str
    tier: int
    lifecycle: str
    manager_id: int | None
    mb_signed: bool
    mb_active: bool
    consent: bool | None


@pytest.fixture(scope="module")
def book(demo_template: Path):
    store = Store.open(demo_template)
    db = store.connect(readonly=True)
    repo = ClientRepository(db)
    rows = []
    tags: dict[int, set[int]] = {}
    for cid, tid in db.conn.execute("SELECT client_id, tag_id FROM client_tags"):
        tags.setdefault(cid, set()).add(tid)
    for r in db.conn.execute(
        "SELECT c.id, c.name, v.name, w.name, c.village_id, w.id, coalesce(c.mobile,''),"
        " coalesce(c.id_number,''), c.segment, c.tier, c.lifecycle, c.manager_id, c.mb_signed,"
        " c.mb_active, c.consent FROM clients c JOIN villages v ON v.id = c.village_id"
        " JOIN townships w ON w.id = v.township_id WHERE c.deleted = 0"
    ):
        rows.append(
            Row(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                tags.get(r[0], set()),
                r[8],
                r[9],
                r[10],
                r[11],
                bool(r[12]),
                bool(r[13]),
                None if r[14] is None else bool(r[14]),
            )
        )
    yield repo, rows
    db.close()


def _ids(repo: ClientRepository, f: ClientFilter) -> set[int]:
    total = repo.count(f)
    got = {r.id for r in repo.page(f, sort="id", limit=100_000)}
    assert len(got) == total, "count() and page() disagree"
    return got


def _text_oracle(rows: list[Row], q: str) -> set[int]:
    if q.isdigit() and len(q) == 4:
        return {r.id for r in rows if r.mobile.endswith(q) or r.id_number.upper().endswith(q)}
    if len(q) == 6 and q.replace("X", "").isdigit():
        return {r.id for r in rows if r.id_number.upper().endswith(q)}
    if len(q) == 1:
        return {r.id for r in rows if q in r.name}
    return {r.id for r in rows if q in r.name or q in r.place or q in r.township}


def test_two_character_name(book) -> None:
    repo, rows = book
    two = [r.name for r in rows if len(r.name) == 2]
    name = max(set(two), key=two.count)  # the most common 2-character name
    assert two.count(name) >= 2
    got = _ids(repo, ClientFilter(text=name))
    assert got == _text_oracle(rows, name)
    assert {r.id for r in rows if r.name == name} <= got


def test_village_name_finds_its_people(book) -> None:
    repo, rows = book
    village = rows[17].place
    got = _ids(repo, ClientFilter(text=village))
    assert {r.id for r in rows if r.place == village} <= got
    assert got == _text_oracle(rows, village)


def test_phone_last_four_and_id_last_four_and_six(book) -> None:
    repo, rows = book
    r = next(r for r in rows if r.mobile and r.id_number)
    assert _ids(repo, ClientFilter(text=r.mobile[-4:])) == _text_oracle(rows, r.mobile[-4:])
    assert r.id in _ids(repo, ClientFilter(text=r.id_number[-4:]))
    assert r.id in _ids(repo, ClientFilter(text=r.id_number[-6:]))
    assert _ids(repo, ClientFilter(text=r.id_number[-6:])) == _text_oracle(rows, r.id_number[-6:])


def test_whole_phone_and_whole_id_are_exact(book) -> None:
    repo, rows = book
    r = next(r for r in rows if r.mobile and r.id_number)
    assert r.id in _ids(repo, ClientFilter(text=r.mobile))
    assert r.id in _ids(repo, ClientFilter(text="+86 " + r.mobile))
    assert _ids(repo, ClientFilter(text=r.id_number)) == {x.id for x in rows if x.id_number == r.id_number}


def test_words_are_anded(book) -> None:
    repo, rows = book
    r = rows[42]
    q = f"{r.name[0]} {r.place}"
    want = {x.id for x in rows if r.name[0] in x.name and (r.place in x.place)}
    got = _ids(repo, ClientFilter(text=q))
    assert want <= got
    assert got == _text_oracle(rows, r.name[0]) & _text_oracle(rows, r.place)


def test_nothing_matches_nonsense(book) -> None:
    repo, _ = book
    assert repo.count(ClientFilter(text="龘龘")) == 0
    assert repo.page(ClientFilter(text="龘龘")) == []


def test_fts_query_syntax_in_user_text_is_harmless(book) -> None:
    repo, _ = book
    for text in ['"', "张 OR 王", "NEAR(", "*", "a:b", "'); DROP TABLE clients; --"]:
        repo.count(ClientFilter(text=text))  # must not raise


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_substring_of_a_name_or_place_matches_the_oracle(book, data) -> None:
    repo, rows = book
    r = data.draw(st.sampled_from(rows))
    source = data.draw(st.sampled_from([r.name, r.place, r.township]))
    start = data.draw(st.integers(0, max(0, len(source) - 1)))
    length = data.draw(st.integers(1, 4))
    q = source[start : start + length]
    if not q or not all("\u4e00" <= ch <= "\u9fff" for ch in q):
        return
    if len(q) == 1 and source is not r.name:
        return
    assert _ids(repo, ClientFilter(text=q)) == _text_oracle(rows, q)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_filter_combinations_match_the_oracle(book, data) -> None:
    repo, rows = book
    all_tags = sorted({t for r in rows for t in r.tags})
    tags_all = tuple(data.draw(st.lists(st.sampled_from(all_tags), max_size=2, unique=True)))
    tags_any = tuple(data.draw(st.lists(st.sampled_from(all_tags), max_size=3, unique=True)))
    segments = tuple(data.draw(st.lists(st.sampled_from(sorted({r.segment for r in rows})), max_size=2, unique=True)))
    tiers = tuple(data.draw(st.lists(st.integers(0, 4), max_size=2, unique=True)))
    villages = tuple(
        data.draw(st.lists(st.sampled_from(sorted({r.village_id for r in rows})), max_size=3, unique=True))
    )
    mb_active = data.draw(st.sampled_from([None, True, False]))
    consent = tuple(data.draw(st.lists(st.sampled_from(["yes", "no", "unknown"]), max_size=2, unique=True)))
    f = ClientFilter(
        tags_all=tags_all,
        tags_any=tags_any,
        segments=segments,
        tiers=tiers,
        village_ids=villages,
        mb_active=mb_active,
        consent=consent,
    )
    cmap = {"yes": True, "no": False, "unknown": None}
    want = {
        r.id
        for r in rows
        if set(tags_all) <= r.tags
        and (not tags_any or r.tags & set(tags_any))
        and (not segments or r.segment in segments)
        and (not tiers or r.tier in tiers)
        and (not villages or r.village_id in villages)
        and (mb_active is None or r.mb_active == mb_active)
        and (not consent or r.consent in {cmap[c] for c in consent})
    }
    assert _ids(repo, f) == want


def test_manager_scope_is_enforced_in_sql(book) -> None:
    repo, rows = book
    manager = next(r.manager_id for r in rows if r.manager_id)
    got = {r.id for r in repo.page(ClientFilter(), sort="id", limit=100_000, scope_manager_id=manager)}
    assert got == {r.id for r in rows if r.manager_id == manager}
    assert repo.count(ClientFilter(), scope_manager_id=manager) == len(got)


def test_pages_tile_the_result_in_both_directions(book) -> None:
    repo, rows = book
    f = ClientFilter()
    total = repo.count(f)
    assert total == len(rows)
    forward = [r.id for r in repo.page(f, sort="name", limit=total)]
    rng = random.Random(7)
    for _ in range(20):
        offset = rng.randrange(total)
        window = [r.id for r in repo.page(f, sort="name", offset=offset, limit=57, total=total)]
        assert window == forward[offset : offset + 57]


def test_terms_keep_vocabularies_apart() -> None:
    doc = client_terms(
        IndexedClient(
            name="ABC农资",
            mobile="13800135678",
            id_number="11010519491231002X",
            village_id=3,
            township_id=1,
            village_name="石桥村",
            township_name="青山镇",
            segment="farmer",
            tier=2,
            lifecycle="mature",
            manager_id=7,
            mb_signed=True,
            mb_active=False,
            consent=None,
            potential=False,
            tag_ids=[12],
        )
    ).split()
    assert {
        "农",
        "资",
        "农资",
        "nabc",
        "g石桥",
        "g桥村",
        "g青山",
        "p5678",
        "i002x",
        "i31002x",
        "t12",
        "m7",
        "v3",
    } <= set(doc)
    assert "石桥" not in doc  # place grams carry their prefix
    assert compile_filter(ClientFilter(text="张伟")).match == '("张伟" OR "g张伟")'


@given(st.text(alphabet=st.sampled_from("张伟王芳李娜欧阳明華\uf900\u3400AbC12 ·（）"), max_size=8))
def test_name_terms_fast_path_matches_the_general_one(name: str) -> None:
    """Plain-hanzi names skip normalisation; every name gets the terms the general rule gives."""
    general = cjk_grams(_norm(name)) + ["n" + w.lower() for w in _WORD.findall(_norm(name))]
    assert name_terms(name) == general
