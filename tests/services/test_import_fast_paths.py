"""The fast paths of a large client import (tests/perf/test_import_perf.py) decide exactly as the plain
code they replaced: ``ClientService.prepare_adds`` against ``prepare_add`` as it was written before
(one row at a time, nothing remembered), ``declaration_errors`` against its plain loop, the GB 11643
check character of ASCII digits against the digit by digit sum, and the characters ``cells.is_subtotal``
looks for before folding a cell against every character Unicode folds to a total word's first."""

from __future__ import annotations

import random
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.core import cells
from app.core import validation as v
from app.core.client import (
    CLIENT_KIND,
    Client,
    ClientKind,
    ConsentChannel,
    Lifecycle,
    Segment,
    _Labelled,
    declaration_errors,
    ownership_error,
    validate_client,
)
from app.core.errors import FieldError
from app.core.roles import Action, Role, check
from app.services import auth
from app.services.clients import ClientService, _assign_error, _perm_list
from app.store.reference import ReferenceData
from app.store.store import Store


def _prepare_add_as_before(svc: ClientService, raw: Mapping[str, str]) -> Client | list[FieldError]:
    """``ClientService.prepare_add`` as it was before ``prepare_adds`` (check_duplicates=False)."""
    denied = check(svc.staff, Action.ADD_CLIENT)
    if denied:
        return [denied]
    values, errors = svc.parse_changes(raw)
    if svc.staff.role == Role.MANAGER:
        if values.get("manager_id") not in (None, svc.staff.id):
            errors.append(check(svc.staff, Action.ASSIGN_MANAGER) or _assign_error())
        values["manager_id"] = svc.staff.id
    values.pop("client_no", None)
    if "kind" not in values:
        values["kind"] = ClientKind.INDIVIDUAL
    draft = Client(**values)
    for name, value in values.items():
        owned = ownership_error(draft, name)
        col = CLIENT_KIND.by_local.get(name)
        if owned and col is not None and not col.is_empty(value if not hasattr(value, "value") else value.value):
            errors.append(owned)
    errors += svc._hq_tag_errors((), draft.tags)
    if draft.id_override:
        errors += _perm_list(check(svc.staff, Action.OVERRIDE_CREDIT_CODE))
    said = {e.field for e in errors}
    errors += [e for e in validate_client(draft, village_exists=svc.ref.village_exists) if e.field not in said]
    return errors or draft


def _declaration_errors_as_before(c: Client) -> list[FieldError]:
    errs = []
    for col in CLIENT_KIND.columns:
        if col.link or col.local_ref:
            continue
        value = getattr(c, col.local_name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, _Labelled):
            value = value.value
        problem = col.problem(value)
        if problem is not None:
            errs.append(FieldError(col.local_name, col.label, problem.code, problem.message))
    return errs


def _resident(n: int, born: str = "19850312", region: str = "500229") -> str:
    first = f"{region}{born}{n % 1000:03d}"
    return first + v.id_check_char(first)


def _rows(ref: ReferenceData, rnd: random.Random) -> list[dict[str, Any]]:
    """Rows as an import hands them to the client book, good and bad, every field a person may fill."""
    village = next(iter(ref.villages.values()))
    tag = next(iter(ref.tag_by_code.values()))
    staff = next(iter(ref.staff.values()))
    choices: dict[str, list[Any]] = {
        "name": ["张三", "李 四", "王5", "", "  ", "A" * 60, "ABC农资", "陈\u0007兰"],
        "id_number": [_resident(1), _resident(2, "19991231"), _resident(3)[:-1] + "0", "12345",
                      _resident(4, "20991231"), _resident(5, region="999999"), "91500229MA5U6XYZ1A",
                      "92500229MA5U6XYZ1A", None, ""],
        "kind": ["individual", "business", "个人", "企业", "合作社", None],
        "mobile": ["13800000001", "138 0000 0002", "+8613800000003", "1380000000", "12800000004", "", None],
        "village_id": [str(village.id), village.name, ref.full_name(village), "没有这个村", "", "99999"],
        "village": [village.name],
        "group_name": ["1组", "二组", "", "组" * 60],
        "segment": ["farmer", "micro_business", "农户", "未知客群", ""],
        "address": ["城口县某路 1 号", "", "地" * 300],
        "notes": ["", "备注", "\u200b"],
        "manager_id": ["", staff.code, staff.name, "没有这个人"],
        "manager": [staff.code],
        "tags": ["", tag.name, f"{tag.name},{tag.name}", "没有这个标签"],
        "consent": ["是", "否", "", "也许"],
        "consent_date": ["2026-03-05", "2099-01-01", "昨天", ""],
        "consent_channel": ["纸质授权书", "", "飞鸽"],
        "client_no": ["", "CQ2600001491"],
        "aum_fen": ["", "100"],
        "lifecycle": ["", "mature"],
    }
    out = []
    for _n in range(800):
        keys = ["name", "village_id", *rnd.sample(sorted(choices), rnd.randint(0, 8))]
        out.append({k: rnd.choice(choices[k]) for k in dict.fromkeys(keys)})
    return out


@pytest.mark.parametrize("role", ["branch_head", "manager"])
def test_prepare_adds_decides_every_row_as_prepare_add_did(demo_dir: Path, role: str) -> None:
    store = Store.open(demo_dir)
    db = store.connect()
    try:
        code = db.conn.execute("SELECT code FROM staff WHERE role = ? ORDER BY id LIMIT 1", (role,)).fetchone()
        if code is None:
            pytest.skip(f"no {role} in the demo")
        svc = ClientService(db, auth.load_staff(db, code[0])[0])
        rows = _rows(svc.ref, random.Random(19))
        many = svc.prepare_adds(rows, check_duplicates=False)
        assert many == [_prepare_add_as_before(svc, raw) for raw in rows]
        assert sum(isinstance(d, Client) for d in many) > 20 and sum(isinstance(d, list) for d in many) > 200
        assert [svc.prepare_add(raw, check_duplicates=False) for raw in rows[:50]] == many[:50]
    finally:
        db.close()


def test_declaration_errors_as_the_plain_loop_found_them() -> None:
    good = Client(name="张三", id_number=_resident(1), mobile="13800000001", village_id=1, group_name="1组")
    variants = [
        good, Client(), replace(good, name="陈\u0007兰"), replace(good, name="张" * 200),
        replace(good, kind=ClientKind.BUSINESS, segment=Segment("micro_business")),
        replace(good, consent=True, consent_date=date(2026, 3, 5), consent_channel=ConsentChannel("paper")),
        replace(good, lifecycle=Lifecycle("mature"), aum_fen=-1), replace(good, aum_fen=10**20),
        replace(good, mb_signed=1), replace(good, notes=None), replace(good, kind="individual"),  # type: ignore[arg-type]
        replace(good, consent_date="2026-02-30"), replace(good, group_name=""), replace(good, client_no="CQ 1"),  # type: ignore[arg-type]
    ]
    for c in variants:
        assert declaration_errors(c) == _declaration_errors_as_before(c), c


def test_the_check_character_of_ascii_digits_is_the_digit_by_digit_sum() -> None:
    rnd = random.Random(11643)
    for _n in range(2000):
        first = "".join(rnd.choice("0123456789") for _i in range(17))
        want = v.ID_CHECK[sum(int(c) * w for c, w in zip(first, v.ID_WEIGHTS, strict=True)) % 11]
        assert v.id_check_char(first) == want
    wide = "11010119900307753".translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})  # full-width digits
    assert v.id_check_char(wide) == v.id_check_char("11010119900307753")
    with pytest.raises(ValueError):
        v.id_check_char("1234")


def test_a_total_row_is_looked_for_by_every_character_that_folds_to_a_total_word() -> None:
    leads = {w[0] for w in ("合计", "小计", "总计", "共计", "累计", "总数", "本页合计")}
    folding = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF
               and any(ch in leads for ch in unicodedata.normalize("NFKC", chr(c)))]
    assert all(cells._TOTAL_CHARS.search(ch) for ch in folding)
    assert cells.is_subtotal(["合 计", None, 3]) and cells.is_subtotal([None, "\u2f29计（本页）"])
    assert not cells.is_subtotal(["张小兰", "500229", None]) and not cells.is_subtotal([1, "赵春春"])


@pytest.mark.parametrize("value", [0, 7, -12, 10**20, True, 1.0, "１２"])
def test_a_number_cell_reads_as_before(value: Any) -> None:
    s = unicodedata.normalize("NFKC", str(value)) if not isinstance(value, float) else "1"
    assert cells.text(value) == " ".join(s.replace("\u200b", "").replace("\ufeff", "").split())
