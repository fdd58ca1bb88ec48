"""Reference data: townships, villages, staff roster, tag catalogue.

Small tables (hundreds of rows) that the client book joins to. Head office owns
the tag catalogue's ``hq`` tags and the roster; the branch may add local tags.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True, slots=True)
class Township:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Village:
    id: int
    township_id: int
    code: str
    name: str
    groups: int


@dataclass(frozen=True, slots=True)
class StaffRow:
    id: int
    code: str
    name: str
    role: str
    active: bool
    has_pin: bool


@dataclass(frozen=True, slots=True)
class TagRow:
    id: int
    code: str
    name: str
    source: str
    category: str


class ReferenceData:
    """Cached reads of the small tables for one connection (reload after sync)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.reload()

    def reload(self) -> None:
        c = self.db.conn
        self.townships = {
            r[0]: Township(*r) for r in c.execute("SELECT id, code, name FROM townships ORDER BY id")
        }
        self.villages = {
            r[0]: Village(*r)
            for r in c.execute(
                "SELECT id, township_id, code, name, groups FROM villages ORDER BY township_id, id"
            )
        }
        self.staff = {
            r[0]: StaffRow(r[0], r[1], r[2], r[3], bool(r[4]), r[5] is not None)
            for r in c.execute(
                "SELECT id, code, name, role, active AND NOT deleted, pin_hash FROM staff ORDER BY code"
            )
        }
        self.tags = {
            r[0]: TagRow(*r)
            for r in c.execute(
                "SELECT id, code, name, source, category FROM tags WHERE deleted = 0 ORDER BY id"
            )
        }
        self.tag_by_code = {t.code: t for t in self.tags.values()}
        self.staff_by_code = {s.code: s for s in self.staff.values()}
        self.village_by_code = {v.code: v for v in self.villages.values()}

    def code_of(self, kind: str, local_id: int) -> str | None:
        """The code of a township, village or staff member by local id (wire form of a reference)."""
        row = {"township": self.townships, "village": self.villages, "staff": self.staff}[kind].get(local_id)
        return row.code if row is not None else None

    def id_of(self, kind: str) -> dict[str, int]:
        """Local ids by code of one kind of reference data (a reference's local form)."""
        rows = {"township": self.townships, "village": self.villages, "staff": self.staff}[kind]
        return {r.code: r.id for r in rows.values()}

    def village_exists(self, village_id: int) -> bool:
        return village_id in self.villages

    def find_villages(self, text: str) -> list[Village]:
        """Villages whose name, township + name (厚坪乡青泉村, 厚坪乡 青泉村, 厚坪乡/青泉村), code or
        township name matches ``text`` exactly, else whose name starts with it."""
        text = text.strip()
        joined = "".join(text.replace("/", " ").split())
        exact = [
            v
            for v in self.villages.values()
            if text in (v.name, v.code, str(v.id)) or text == self.township_name(v)
            or joined == self.township_name(v) + v.name
        ]
        if exact:
            return exact
        return [v for v in self.villages.values() if v.name.startswith(text)]

    def full_name(self, v: Village) -> str:
        """乡镇 + 村, as a person writes it to tell same-named villages apart."""
        return self.township_name(v) + v.name

    def township_name(self, v: Village) -> str:
        t = self.townships.get(v.township_id)
        return t.name if t else ""

    def find_tag(self, text: str) -> TagRow | None:
        text = text.strip()
        if text in self.tag_by_code:
            return self.tag_by_code[text]
        for t in self.tags.values():
            if t.name == text:
                return t
        return None

    def find_staff(self, text: str) -> StaffRow | None:
        text = text.strip()
        if text in self.staff_by_code:
            return self.staff_by_code[text]
        matches = [s for s in self.staff.values() if s.name == text]
        return matches[0] if len(matches) == 1 else None


def meta_get(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    row = db.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def meta_set(db: sqlite_utils.Database, key: str, value: str) -> None:
    """Set one meta value; call inside a write transaction."""
    db.conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
