"""``ClientRepository.insert_many`` (an import's batches) writes exactly what ``insert`` writes one
client at a time: the row, its tags, its search terms and its journal entry."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from app.store.clients import ClientRepository
from app.store.db import write
from app.store.store import Store

_ROW = ("name", "id_number", "mobile", "village_id", "segment", "manager_id", "tier", "name_key", "version", "deleted",
        "consent", "notes")


def _written(db, cid: int) -> tuple:
    row = db.conn.execute(f"SELECT {', '.join(_ROW)} FROM clients WHERE id = ?", (cid,)).fetchone()
    tags = db.conn.execute("SELECT tag_id FROM client_tags WHERE client_id = ? ORDER BY tag_id", (cid,)).fetchall()
    terms = db.conn.execute("SELECT terms FROM client_search WHERE rowid = ?", (cid,)).fetchone()
    op, before, after, author, state = db.conn.execute(
        "SELECT op, before, after, author, sync_state FROM journal WHERE row_id = ? AND kind = 'client'", (cid,)
    ).fetchone()
    after = {k: v for k, v in json.loads(after).items() if k != "uid"}
    return row, tags, terms, (op, json.loads(before), after, author, state)


def test_insert_many_writes_what_insert_writes(demo_template: Path, tmp_path: Path) -> None:
    shutil.copytree(demo_template, tmp_path / "d")
    db = Store.open(tmp_path / "d").connect()
    try:
        repo = ClientRepository(db)
        ids = [r[0] for r in db.conn.execute(
            "SELECT c.id FROM clients c WHERE deleted = 0 AND EXISTS (SELECT 1 FROM client_tags t"
            " WHERE t.client_id = c.id) ORDER BY id LIMIT 5")]
        drafts = [replace(repo.get(i), id=None, uid="", id_number=None, client_no=None, mobile=f"1390000000{n}")
                  for n, i in enumerate(ids)]
        with write(db):
            one = [repo.insert(d, author="A0001") for d in drafts]
            many = repo.insert_many(drafts, author="A0001")
        assert [c.id for c in many] == list(range(one[-1].id + 1, one[-1].id + 6))
        assert len({c.uid for c in one + many}) == 10 and all(c.version == 1 for c in many)
        for a, b in zip(one, many, strict=True):
            assert _written(db, b.id) == _written(db, a.id)
            assert _written(db, b.id)[1]  # tags written
    finally:
        db.close()
