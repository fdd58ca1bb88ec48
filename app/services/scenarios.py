"""Smart-village scenarios (智慧乡村场景) at the branch: the records, their pipeline, their
monthly figures, the clients won through them, and the comparisons a branch head reads
(同比, 环比, side by side, roll-ups by village and township, the dashboard).

Writes go through the record declarations (``scenario``, ``scenario_metric``,
``scenario_client``), journaled for sync, one transaction each; a refused write writes
nothing and names the field. Entering a month's figure again updates it. A scenario's client
count is counted from its links, never typed. Runs on the thread that owns ``db``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from app.core import scenarios as sc
from app.core.errors import FieldError
from app.core.result import Changes, Result
from app.core.roles import Action, Staff, check
from app.store.db import write
from app.store.records import RecordError, Records, StoredRecord
from app.store.reference import ReferenceData
from sync.protocol.figures import metric_uid

BY = ("scenario", "village", "township", "type")
MAX_ATTACHMENT = 50 * 10**6  # bytes: photos of a signed agreement, a spreadsheet, a scanned form
MAX_ATTACHMENTS = 40


@dataclass(frozen=True)
class ScenarioRow:
    uid: str
    type: str
    type_name: str
    name: str
    village: str  # village code
    village_name: str
    township_name: str
    partner: str
    partner_contact: str
    owner: str | None
    status: str
    status_dates: dict[str, str]
    note: str
    clients: int  # won through it (derived from the links)

    @property
    def status_label(self) -> str:
        return sc.STATUS_LABELS.get(self.status, self.status)

    @property
    def since(self) -> str:
        return self.status_dates.get(self.status, "")


@dataclass(frozen=True)
class Dashboard:
    period: str  # the month read (the latest with figures)
    scenarios: int
    by_status: dict[str, int]
    by_type: dict[str, int]  # type name → scenarios
    totals: list[sc.Comparison]  # the common metrics, all scenarios together
    series: dict[str, list[tuple[str, int]]]  # metric → [(period, total)] over the last 36 months
    top: list[tuple[str, int]]  # scenarios with the most accounts opened in the period
    clients: int  # clients won through scenarios
    tracked: dict[str, str] = field(default_factory=dict)  # metric code → label


def _field(field_: str, label: str, code: str, message: str) -> FieldError:
    return FieldError(field_, label, code, message)


def _problems(exc: RecordError) -> list[FieldError]:
    return [FieldError(p.field, p.field, p.code, p.message) for p in exc.problems]


_ROW = """SELECT s.uid, s.scenario_type, coalesce(t.name, s.scenario_type), s.name, coalesce(s.village, ''),
                 coalesce(v.name, ''), coalesce(tw.name, ''), s.partner, s.partner_contact, s.owner, s.status,
                 s.status_dates, s.note,
                 (SELECT count(*) FROM scenario_clients k JOIN clients c ON c.uid = k.client_uid AND c.deleted = 0
                   WHERE k.scenario = s.uid AND k.deleted = 0)
            FROM scenarios s
            LEFT JOIN scenario_types t ON t.code = s.scenario_type AND t.deleted = 0
            LEFT JOIN villages v ON v.code = s.village
            LEFT JOIN townships tw ON tw.id = v.township_id OR (s.village IS NULL AND tw.code = s.township)"""


class ScenarioService:
    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None, *,
                 today: date | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)
        self._today = today

    @property
    def today(self) -> date:
        return self._today or date.today()

    # --- types --------------------------------------------------------------------------------

    def types(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(code, name, metrics tracked) of each type: head office's once synced, else the built-in set."""
        rows = self.db.conn.execute(
            "SELECT code, name, metrics FROM scenario_types WHERE deleted = 0 ORDER BY id").fetchall()
        if not rows:
            return [(c, n, sc.type_metrics(extra)) for c, n, extra in sc.DEFAULT_TYPES]
        return [(c, n, sc.type_metrics(json.loads(m) if m else [])) for c, n, m in rows]

    def _type(self, text: str) -> tuple[str, str, tuple[str, ...]] | FieldError:
        t = (text or "").strip()
        found = next((x for x in self.types() if t in (x[0], x[1])), None)
        if found is None:
            names = "、".join(x[1] for x in self.types())
            return _field("scenario_type", "场景类型", "unknown", f"场景类型“{t}”不存在；可选：{names}。")
        return found

    # --- reading ------------------------------------------------------------------------------

    def _type_names(self) -> dict[str, str]:
        return {c: n for c, n, _m in self.types()}

    def _row(self, r: tuple, names: dict[str, str] | None = None) -> ScenarioRow:
        name = (names or self._type_names()).get(r[1], r[2])
        return ScenarioRow(r[0], r[1], name, r[3], r[4], r[5], r[6], r[7] or "", r[8] or "", r[9], r[10],
                           json.loads(r[11]) if r[11] else {}, r[12] or "", r[13])

    def list(self, *, type: str | None = None, village: str | None = None,
             status: str | None = None) -> list[ScenarioRow] | FieldError:
        where, args = ["s.deleted = 0"], []
        if type:
            t = self._type(type)
            if isinstance(t, FieldError):
                return t
            where.append("s.scenario_type = ?")
            args.append(t[0])
        if village:
            found = self.ref.find_villages(village)
            whole = next((t for t in self.ref.townships.values() if village.strip() in (t.name, t.code)), None)
            if not found and whole is None:
                return _field("village", "村/社区", "unknown", f"村或乡镇“{village}”不存在。")
            codes = [v.code for v in found]
            where.append(f"(s.village IN ({','.join('?' * len(codes))}) OR s.township = ?)")
            args += [*codes, whole.code if whole else None]
        if status:
            code = next((k for k, v in sc.STATUS_LABELS.items() if status in (k, v)), None)
            if code is None:
                return _field("status", "进度", "choice",
                              f"进度应为 {'、'.join(sc.STATUS_LABELS.values())} 之一，实际为“{status}”。")
            where.append("s.status = ?")
            args.append(code)
        sql = f"{_ROW} WHERE {' AND '.join(where)} ORDER BY tw.name, v.name, s.name"
        names = self._type_names()
        return [self._row(r, names) for r in self.db.conn.execute(sql, args)]

    def get(self, uid: str) -> ScenarioRow | FieldError:
        row = self.db.conn.execute(f"{_ROW} WHERE s.uid = ? AND s.deleted = 0", (uid,)).fetchone()
        if row is None:
            return _field("scenario", "场景", "unknown", f"场景“{uid}”不存在。")
        return self._row(row)

    def resolve(self, text: str) -> str | FieldError:
        """A scenario by uid, the first 8+ characters of it, or its exact name."""
        t = (text or "").strip()
        if len(t) >= 8:
            found = self.db.conn.execute("SELECT uid FROM scenarios WHERE uid LIKE ? AND deleted = 0 LIMIT 2",
                                         (f"{t}%",)).fetchall()
            if len(found) == 1:
                return found[0][0]
        found = self.db.conn.execute("SELECT uid FROM scenarios WHERE name = ? AND deleted = 0 LIMIT 2",
                                     (t,)).fetchall()
        if len(found) == 1:
            return found[0][0]
        why = "有重名，请用编号" if found else "不存在"
        return _field("scenario", "场景", "unknown", f"场景“{t}”{why}。")

    def metrics_of(self, uid: str) -> dict[str, dict[str, tuple[int, str]]]:
        """period → metric → (value, source) of one scenario."""
        out: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
        for period, metric, value, source in self.db.conn.execute(
                "SELECT period, metric, value, source FROM scenario_metrics WHERE scenario = ? AND deleted = 0"
                " ORDER BY period", (uid,)):
            out[period][metric] = (value, source)
        return dict(out)

    # --- writing ------------------------------------------------------------------------------

    def add(self, values: dict[str, Any], *, on: date | None = None) -> Result[StoredRecord]:
        """A new scenario (at 调研 unless a status is given), with the date of its step."""
        denied = check(self.staff, Action.EDIT_SCENARIO)
        if denied:
            return Result.failed(denied)
        errors: list[FieldError] = []
        t = self._type(values.get("scenario_type", ""))
        if isinstance(t, FieldError):
            errors.append(t)
        name = (values.get("name") or "").strip()
        if not name:
            errors.append(_field("name", "场景名称", "required", "场景名称不能为空。"))
        village = township = None
        place = (values.get("village") or "").strip()
        if place:
            whole = next((t for t in self.ref.townships.values() if place in (t.name, t.code)), None)
            found = [] if whole else self.ref.find_villages(place)
            if whole is not None:
                township = whole.code  # a scenario of the whole township
            elif len(found) != 1:
                errors.append(_field("village", "村/社区", "unknown",
                                     f"村或乡镇“{place}”{'有重名，请写乡镇+村' if found else '不存在'}。"))
            else:
                village = found[0].code
        owner = values.get("owner") or self.staff.code
        if self.ref.find_staff(owner) is None:
            errors.append(_field("owner", "负责人", "unknown", f"员工“{owner}”不在本网点名册中。"))
        status = values.get("status") or "survey"
        status = next((k for k, v in sc.STATUS_LABELS.items() if status in (k, v)), status)
        if status not in sc.STATUS_LABELS:
            errors.append(_field("status", "进度", "choice",
                                 f"进度应为 {'、'.join(sc.STATUS_LABELS.values())} 之一，实际为“{status}”。"))
        day = on or self.today
        if day > self.today:
            errors.append(_field("date", "日期", "future", "日期不能晚于今天。"))
        if errors:
            return Result.failed(*errors)
        assert not isinstance(t, FieldError)
        record = {"scenario_type": t[0], "name": name, "village": village, "township": township,
                  "partner": (values.get("partner") or "").strip(),
                  "partner_contact": (values.get("partner_contact") or "").strip(), "owner": owner,
                  "status": status, "status_dates": {status: day.isoformat()},
                  "note": (values.get("note") or "").strip()}
        try:
            with write(self.db):
                rec = Records(self.db, "scenario", self.ref).insert(record, author=self.staff.code)
        except RecordError as exc:
            return Result.failed(*_problems(exc))
        return Result.done(rec, Changes.of("scenario", uids=[rec.uid]))

    def move(self, uid: str, status: str, *, reason: str = "", on: date | None = None) -> Result[StoredRecord]:
        """The next step (or 停用, or back with a reason); the step's date is kept."""
        denied = check(self.staff, Action.EDIT_SCENARIO)
        if denied:
            return Result.failed(denied)
        rec = Records(self.db, "scenario", self.ref).get(uid)
        if rec is None:
            return Result.failed(_field("scenario", "场景", "unknown", f"场景“{uid}”不存在。"))
        new = next((k for k, v in sc.STATUS_LABELS.items() if status.strip() in (k, v)), status.strip())
        problem = sc.check_move(rec.values["status"], new, reason=reason)
        day = on or self.today
        if problem is None and day > self.today:
            problem = _field("date", "日期", "future", "日期不能晚于今天。")
        dates = dict(rec.values.get("status_dates") or {})
        if problem is None and any(d > day.isoformat() for d in dates.values()) and not reason.strip():
            problem = _field("date", "日期", "order", "日期早于上一步的日期，须写明原因。")
        if problem is not None:
            return Result.failed(problem)
        dates[new] = day.isoformat()
        changes: dict[str, Any] = {"status": new, "status_dates": dates}
        if reason.strip():
            note = (rec.values.get("note") or "")
            moved = f"{sc.STATUS_LABELS[rec.values['status']]}→{sc.STATUS_LABELS[new]}"
            line = f"{day.isoformat()} {moved}：{reason.strip()}"
            changes["note"] = (f"{note}\n{line}" if note else line)[-1000:]
        try:
            with write(self.db):
                out = Records(self.db, "scenario", self.ref).update(uid, changes, author=self.staff.code)
        except RecordError as exc:
            return Result.failed(*_problems(exc))
        return Result.done(out, Changes.of("scenario", uids=[uid]))

    def record(self, uid: str, period: str, figures: dict[str, int | str], *,
               source: str = "branch") -> Result[int]:
        """A month's figures for a scenario (metric code or label → value; amounts in fen).
        A figure entered before for the month is updated; the same value again changes
        nothing. Returns how many figures were written."""
        denied = check(self.staff, Action.EDIT_SCENARIO)
        if denied:
            return Result.failed(denied)
        row = self.get(uid)
        if isinstance(row, FieldError):
            return Result.failed(row)
        errors: list[FieldError] = []
        p = sc.parse_period(period, today=self.today)
        if isinstance(p, FieldError):
            errors.append(p)
        tracked = next((m for c, _n, m in self.types() if c == row.type), sc.COMMON)
        by_label = {sc.metric(m).label: m for m in tracked}
        clean: dict[str, int] = {}
        for key, raw in figures.items():
            code = key if key in tracked else by_label.get(key)
            if code is None:
                names = "、".join(sc.metric(m).label for m in tracked)
                errors.append(_field(key, sc.metric(key).label, "untracked",
                                     f"“{row.type_name}”场景不跟踪“{sc.metric(key).label}”；可录入：{names}。"))
                continue
            label = sc.metric(code).label
            try:
                value = int(str(raw).replace(",", "").strip())
            except ValueError:
                errors.append(_field(code, label, "number", f"{label}应为整数，实际为“{raw}”。"))
                continue
            if value < 0:
                errors.append(_field(code, label, "negative", f"{label}不能为负数。"))
                continue
            clean[code] = value
        if not errors and not clean:
            errors.append(_field("figures", "指标", "required", "请至少录入一项指标。"))
        if errors:
            return Result.failed(*errors)
        assert isinstance(p, str)
        metrics = Records(self.db, "scenario_metric", self.ref)
        written, uids = 0, []
        try:
            with write(self.db):
                held = {m: (u, v) for u, m, v in self.db.conn.execute(
                    "SELECT uid, metric, value FROM scenario_metrics WHERE scenario = ? AND period = ? AND deleted = 0",
                    (uid, p))}
                for code, value in clean.items():
                    if code in held:
                        if held[code][1] == value:
                            continue
                        metrics.update(held[code][0], {"value": value, "source": source}, author=self.staff.code)
                        uids.append(held[code][0])
                    else:
                        rec = metrics.insert({"scenario": uid, "period": p, "metric": code, "value": value,
                                              "source": source}, author=self.staff.code,
                                             uid=metric_uid(uid, p, code))
                        uids.append(rec.uid)
                    written += 1
        except RecordError as exc:
            return Result.failed(*_problems(exc))
        return Result.done(written, Changes.of("scenario_metric", uids=uids) if written else Changes())

    def link_clients(self, uid: str, client_ids: list[int]) -> Result[int]:
        """Clients won through a scenario; a client linked before is left as it is."""
        denied = check(self.staff, Action.EDIT_SCENARIO)
        if denied:
            return Result.failed(denied)
        row = self.get(uid)
        if isinstance(row, FieldError):
            return Result.failed(row)
        found = {}
        for i in range(0, len(client_ids), 500):
            chunk = client_ids[i:i + 500]
            found.update({r[0]: r[1] for r in self.db.conn.execute(
                f"SELECT id, uid FROM clients WHERE deleted = 0 AND id IN ({','.join('?' * len(chunk))})", chunk)})
        missing = [i for i in client_ids if i not in found]
        if missing:
            shown = "、".join(str(i) for i in missing[:10]) + ("…" if len(missing) > 10 else "")
            return Result.failed(_field("clients", "客户", "unknown",
                                        f"{len(missing)} 位客户不存在或已删除：{shown}。"))
        held = {r[0] for r in self.db.conn.execute(
            "SELECT client_uid FROM scenario_clients WHERE scenario = ? AND deleted = 0", (uid,))}
        links = Records(self.db, "scenario_client", self.ref)
        added = []
        try:
            with write(self.db):
                for cid in dict.fromkeys(client_ids):
                    if found[cid] in held:
                        continue
                    rec = links.insert({"scenario": uid, "client_uid": found[cid], "date": self.today.isoformat()},
                                       author=self.staff.code)
                    added.append(rec.uid)
        except RecordError as exc:
            return Result.failed(*_problems(exc))
        return Result.done(len(added), Changes.of("scenario_client", uids=added) if added else Changes())

    # --- attachments ---------------------------------------------------------------------------

    def files_dir(self) -> Path:
        """Where attached files are kept: ``attachments/`` beside the database, on this PC."""
        main = next(r[2] for r in self.db.conn.execute("PRAGMA database_list") if r[1] == "main")
        return Path(main).parent / "attachments"

    def attachments(self, uid: str) -> list[tuple[str, str, int, str, Path | None]]:
        """(sha256, name, size, added, path on this PC or None) of a scenario's files."""
        rec = Records(self.db, "scenario", self.ref).get(uid)
        if rec is None:
            return []
        folder = self.files_dir()
        out = []
        for sha, meta in sorted((rec.values.get("attachments") or {}).items(), key=lambda kv: kv[1].get("added", "")):
            held = [f for f in folder.glob(f"{sha}*") if not f.name.endswith(".part")] if folder.is_dir() else []
            out.append((sha, meta.get("name", ""), int(meta.get("size", 0)), meta.get("added", ""),
                        held[0] if held else None))
        return out

    def attach(self, uid: str, source: Path) -> Result[str]:
        """Attach a file: copied into this PC's attachments folder under its hash, its name,
        size and hash recorded on the scenario (they sync; the file does not). The same file
        again changes nothing. Returns the hash."""
        import hashlib
        import shutil

        denied = check(self.staff, Action.EDIT_SCENARIO)
        if denied:
            return Result.failed(denied)
        rec = Records(self.db, "scenario", self.ref).get(uid)
        if rec is None:
            return Result.failed(_field("scenario", "场景", "unknown", f"场景“{uid}”不存在。"))
        if not source.is_file():
            return Result.failed(_field("file", "附件", "missing", f"文件 {source} 不存在。"))
        size = source.stat().st_size
        if size > MAX_ATTACHMENT:
            limit = MAX_ATTACHMENT // 10**6
            return Result.failed(_field("file", "附件", "size",
                                        f"文件 {source.name} 有 {size / 1e6:.1f} MB，附件最大 {limit} MB。"))
        held = dict(rec.values.get("attachments") or {})
        if len(held) >= MAX_ATTACHMENTS:
            return Result.failed(_field("file", "附件", "count", f"一个场景最多 {MAX_ATTACHMENTS} 个附件。"))
        digest = hashlib.sha256()
        try:
            with open(source, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            return Result.failed(_field("file", "附件", "read", f"无法读取 {source.name}（{exc.strerror or exc}）。"))
        sha = digest.hexdigest()
        if sha in held:
            return Result.done(sha)
        folder = self.files_dir()
        target = folder / f"{sha}{source.suffix.lower()[:10]}"
        try:
            folder.mkdir(exist_ok=True)
            if not target.exists():
                part = target.with_name(target.name + ".part")
                shutil.copyfile(source, part)
                part.replace(target)
        except OSError as exc:
            return Result.failed(_field("file", "附件", "write", f"无法保存附件到 {folder}（{exc.strerror or exc}）。"))
        held[sha] = {"name": source.name[:120], "size": size, "added": self.today.isoformat()}
        try:
            with write(self.db):
                Records(self.db, "scenario", self.ref).update(uid, {"attachments": held}, author=self.staff.code)
        except RecordError as exc:
            return Result.failed(*_problems(exc))
        return Result.done(sha, Changes.of("scenario", uids=[uid]))

    def detach(self, uid: str, sha: str) -> Result[str]:
        """Remove a file from a scenario (the copy on this PC goes when no scenario holds it)."""
        denied = check(self.staff, Action.EDIT_SCENARIO)
        if denied:
            return Result.failed(denied)
        rec = Records(self.db, "scenario", self.ref).get(uid)
        held = dict((rec.values.get("attachments") or {}) if rec else {})
        if sha not in held:
            return Result.failed(_field("file", "附件", "unknown", "这个场景没有这个附件。"))
        name = held.pop(sha)["name"]
        try:
            with write(self.db):
                Records(self.db, "scenario", self.ref).update(uid, {"attachments": held}, author=self.staff.code)
        except RecordError as exc:
            return Result.failed(*_problems(exc))
        still = self.db.conn.execute("SELECT 1 FROM scenarios WHERE deleted = 0 AND attachments LIKE ? LIMIT 1",
                                     (f'%"{sha}"%',)).fetchone()
        if still is None:
            for f in self.files_dir().glob(f"{sha}*"):
                f.unlink(missing_ok=True)
        return Result.done(name, Changes.of("scenario", uids=[uid]))

    # --- comparisons ----------------------------------------------------------------------------

    def latest_period(self) -> str:
        """The latest month with figures, else last month."""
        found = self.db.conn.execute("SELECT max(period) FROM scenario_metrics WHERE deleted = 0").fetchone()[0]
        return found or sc.shift(f"{self.today:%Y-%m}", -1)

    def compare(self, *, metric: str = "accounts", by: str = "scenario",
                period: str | None = None) -> list[tuple[str, sc.Comparison]] | FieldError:
        """(name, comparison) per scenario, village, township or type at ``period``: the value,
        the month before and the same month a year before (环比, 同比)."""
        if by not in BY:
            return _field("by", "分组", "choice", "只能按场景、村、乡镇或类型比较（scenario/village/township/type）。")
        known = {m for _c, _n, ms in self.types() for m in ms} | set(sc.METRICS)
        code = metric if metric in known else next((m.code for m in sc.METRICS.values() if m.label == metric), None)
        if code is None:
            names = "、".join(sc.metric(m).label for m in sc.METRICS)
            return _field("metric", "指标", "unknown", f"没有指标“{metric}”；可选：{names}。")
        p = self.latest_period() if not period else sc.parse_period(period, today=self.today)
        if isinstance(p, FieldError):
            return p
        key, name = {
            "scenario": ("s.uid", "s.name"),
            "village": ("coalesce(v.code, tw.code, '')",
                        "coalesce(tw.name || v.name, tw.name || '（全乡镇）', '（未填村）')"),
            "township": ("coalesce(tw.code, '')", "coalesce(tw.name, '（未填村）')"),
            "type": ("s.scenario_type", "coalesce(t.name, s.scenario_type)"),
        }[by]
        periods = (p, sc.shift(p, -1), sc.shift(p, -12))
        series: dict[str, dict[str, int]] = defaultdict(dict)
        names: dict[str, str] = {}
        for k, n, period_, total in self.db.conn.execute(
                f"""SELECT {key}, {name}, m.period, sum(m.value)
                      FROM scenario_metrics m
                      JOIN scenarios s ON s.uid = m.scenario AND s.deleted = 0
                      LEFT JOIN scenario_types t ON t.code = s.scenario_type AND t.deleted = 0
                      LEFT JOIN villages v ON v.code = s.village
                      LEFT JOIN townships tw ON tw.id = v.township_id
                                             OR (s.village IS NULL AND tw.code = s.township)
                     WHERE m.deleted = 0 AND m.metric = ? AND m.period IN (?, ?, ?)
                     GROUP BY 1, 3""", (code, *periods)):
            series[k][period_] = total
            names[k] = n
        if by == "type":
            names.update({k: n for k, n in self._type_names().items() if k in names})
        out = [(names[k], sc.compare(s, k, code, p)) for k, s in series.items()]
        out.sort(key=lambda x: (-(x[1].value or 0), x[0]))
        return out

    def dashboard(self, period: str | None = None) -> Dashboard:
        """What a branch head reads at a glance, for the latest month with figures."""
        p = period or self.latest_period()
        by_status = dict(self.db.conn.execute(
            "SELECT status, count(*) FROM scenarios WHERE deleted = 0 GROUP BY status").fetchall())
        types = {c: n for c, n, _m in self.types()}
        by_type = {types.get(c, c): n for c, n in self.db.conn.execute(
            "SELECT scenario_type, count(*) FROM scenarios WHERE deleted = 0 GROUP BY scenario_type ORDER BY 2 DESC")}
        first = sc.shift(p, -35)
        totals: dict[str, dict[str, int]] = defaultdict(dict)
        for metric, period_, total in self.db.conn.execute(
                """SELECT m.metric, m.period, sum(m.value) FROM scenario_metrics m
                    JOIN scenarios s ON s.uid = m.scenario AND s.deleted = 0
                   WHERE m.deleted = 0 AND m.period BETWEEN ? AND ? GROUP BY 1, 2""", (sc.shift(p, -36), p)):
            totals[metric][period_] = total
        comparisons = [sc.compare(totals.get(m, {}), "all", m, p) for m in sc.COMMON]
        series = {m: sorted((k, v) for k, v in totals.get(m, {}).items() if k >= first)
                  for m in ("accounts", "mb_active", "mb_registered")}
        top = [(n, v) for n, v in self.db.conn.execute(
            """SELECT s.name, m.value FROM scenario_metrics m JOIN scenarios s ON s.uid = m.scenario AND s.deleted = 0
                WHERE m.deleted = 0 AND m.metric = 'accounts' AND m.period = ? ORDER BY m.value DESC LIMIT 5""", (p,))]
        clients = self.db.conn.execute(
            "SELECT count(DISTINCT k.client_uid) FROM scenario_clients k JOIN scenarios s ON s.uid = k.scenario"
            " AND s.deleted = 0 JOIN clients c ON c.uid = k.client_uid AND c.deleted = 0 WHERE k.deleted = 0"
        ).fetchone()[0]
        return Dashboard(p, sum(by_status.values()), by_status, by_type, comparisons, series, top, clients,
                         {m: sc.metric(m).label for m in sc.COMMON})

    def export_xlsx(self, path: Path, *, by: str = "scenario", period: str | None = None) -> Result[int]:
        """Every common metric compared by ``by`` at ``period``, one sheet per metric, to xlsx."""
        import pandas as pd

        frames = {}
        for m in sc.COMMON:
            rows = self.compare(metric=m, by=by, period=period)
            if isinstance(rows, FieldError):
                return Result.failed(rows)
            label = sc.metric(m).label
            frames[label] = pd.DataFrame(
                [(n, c.period, c.value, c.previous, sc.format_rate(c.mom), c.last_year, sc.format_rate(c.yoy))
                 for n, c in rows],
                columns=["名称", "期间", label, "上月", "环比", "去年同月", "同比"])
        tmp = path.with_name(path.name + ".part")
        try:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
                for sheet, frame in frames.items():
                    frame.to_excel(xl, sheet_name=sheet[:31], index=False)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        return Result.done(sum(len(f) for f in frames.values()))
