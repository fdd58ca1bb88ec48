"""The import wizard (app.ui.import_wizard) under offscreen Qt, on the demo county's real encrypted book:
real xlsx / csv files with the headers branches use, driven step by step as a person would, the
workers' answers awaited; what the wizard shows, and what ends up in the database."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtWidgets import QWizard

from app.core.masking import mask_id, mask_mobile
from app.core.roles import Role, Staff
from app.core.validation import id_check_char
from app.services import import_clients as ic
from app.store.reference import ReferenceData
from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.clients.workspace import ClientsWorkspace
from app.ui.context import AppContext
from app.ui.import_wizard import CLIENTS, ImportWizard, shown_cell

HEAD = ["户主姓名", "身份证号码", "联系电话", "村", "备注"]


def resident(n: int, born: str = "19660304") -> str:
    """A valid resident ID of 城口县 (500229), distinct per ``n``."""
    first = f"500229{born}{n % 1000:03d}"
    return first + id_check_char(first)


@pytest.fixture
def ctx(qtbot, demo_dir: Path) -> Any:
    app = create_application([])
    i18n.install(app, "zh_CN")
    context = build_context(Store.open(demo_dir), None)  # the demo's branch head
    yield context
    context.shutdown()


@pytest.fixture
def village(ctx: AppContext) -> str:
    """A village of the demo county as a roster writes it: township and village."""
    db = ctx.store.connect(readonly=True)
    try:
        ref = ReferenceData(db)
        v = next(iter(ref.villages.values()))
        return ref.township_name(v) + v.name
    finally:
        db.close()


@pytest.fixture
def changes(ctx: AppContext) -> list:
    seen: list = []
    ctx.changes.changed.connect(lambda c, source: seen.append((c, source)))
    return seen


def _xlsx(path: Path, rows: list[list[Any]], sheets: dict[str, list[list[Any]]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    for r in rows:
        ws.append(r)
    for name, more in (sheets or {}).items():
        extra = wb.create_sheet(name)
        for r in more:
            extra.append(r)
    wb.save(path)
    return path


def _roster(tmp_path: Path, village: str, name: str = "roster.xlsx") -> Path:
    """Three good rows and two that cannot pass, under a title row."""
    bad_check = resident(4)[:-1] + ("0" if resident(4)[-1] != "0" else "1")
    return _xlsx(tmp_path / name, [
        ["城口县某村农户花名册（2026 年 3 月）"],
        HEAD,
        ["王大山", resident(1), "13800138001", village, "家里电话13911112222"],
        ["刘春花", resident(2), "138 0013 8002", village, None],
        ["陈小兰", resident(3), "13800138003", village, None],
        ["坏校验", bad_check, "13800138004", village, None],
        ["没有村", resident(5), "13800138005", "没有这个村", None],
    ])


def _wizard(qtbot, ctx: AppContext) -> ImportWizard:
    w = ImportWizard(ctx, CLIENTS)
    qtbot.addWidget(w)
    w.resize(1040, 720)
    w.show()
    return w


def _next_enabled(w: ImportWizard) -> bool:
    button = w.button(QWizard.WizardButton.CommitButton if w.currentPage().isCommitPage()
                      else QWizard.WizardButton.NextButton)
    return button.isEnabled()


def _open(qtbot, w: ImportWizard, path: Path) -> None:
    w.open_file(path)
    qtbot.waitUntil(lambda: w.loaded is not None and not w.reading, timeout=10_000)


def _to_mapping(qtbot, w: ImportWizard, path: Path) -> None:
    _open(qtbot, w, path)
    assert _next_enabled(w)
    w.next()
    assert w.currentId() == w.MAPPING


def _to_preview(qtbot, w: ImportWizard, path: Path) -> None:
    _to_mapping(qtbot, w, path)
    w.next()
    assert w.currentId() == w.PREVIEW
    qtbot.waitUntil(lambda: w.planning is None and w.plan is not None, timeout=15_000)


def _count(ctx: AppContext, numbers: list[str]) -> int:
    db = ctx.store.connect(readonly=True)
    try:
        marks = ",".join("?" * len(numbers))
        return db.conn.execute(f"SELECT count(*) FROM clients WHERE deleted = 0 AND id_number IN ({marks})",
                               numbers).fetchone()[0]
    finally:
        db.close()


def _block(thread: Any) -> threading.Event:
    """Hold a worker thread until the event is set (so a cancel lands before the task starts)."""
    gate = threading.Event()
    thread.submit(lambda _tc: gate.wait(10), name="test-gate")
    return gate


def test_the_mapping_is_guessed_and_shown_with_a_masked_sample(qtbot, ctx: AppContext, village: str,
                                                               tmp_path: Path) -> None:
    w = _wizard(qtbot, ctx)
    assert not _next_enabled(w)  # no file yet
    _to_mapping(qtbot, w, _roster(tmp_path, village))
    page = w.mapping_page
    assert page.header_row.value() == 2  # under the title row
    assert [page.table.item(c, 1).text() for c in range(5)] == HEAD
    assert [combo.currentData() for combo in page.combos] == ["name", "id_number", "mobile", "village", "notes"]
    assert page.combos[3].currentText().startswith("所属村")
    assert not page.remembered.isVisibleTo(w) and not page.problems.isVisibleTo(w)
    # the sample: the first rows under the header, ID and phone numbers masked wherever they are
    sample = page.sample
    assert sample.rowCount() == 5 and sample.verticalHeaderItem(0).text() == "3"
    shown = [[sample.item(r, c).text() for c in range(5)] for r in range(sample.rowCount())]
    assert shown[0][:4] == ["王大山", mask_id(resident(1)), "138****8001", village]
    assert shown[1][2] == "138****8002"  # typed with spaces
    assert "139****2222" in shown[0][4] and "13911112222" not in shown[0][4]
    text = " ".join(" ".join(r) for r in shown)
    assert all(resident(n) not in text for n in range(1, 6)) and "13800138001" not in text
    assert "→ 证件号码" in sample.horizontalHeaderItem(1).text()


def test_the_sample_masks_what_looks_like_an_id_or_a_phone_in_any_column() -> None:
    assert shown_cell(resident(7)) == mask_id(resident(7))
    assert shown_cell(float(resident(7))).startswith("500229") and "*" in shown_cell(float(resident(7)))
    assert shown_cell("+86 138 0013 8000") == mask_mobile("13800138000")
    assert shown_cell(f"身份证{resident(8)} 电话13800138000") == f"身份证{mask_id(resident(8))} 电话138****8000"
    assert shown_cell("（乡镇）村，组") == "（乡镇）村，组"  # as typed when nothing is masked
    assert shown_cell("anything", mask_mobile) == mask_mobile("ANYTHING")
    assert shown_cell("王大山") == "王大山" and shown_cell(None) == "" and shown_cell(3) == "3"


def test_unmapping_the_village_blocks_next_until_it_is_mapped_again(qtbot, ctx: AppContext, village: str,
                                                                    tmp_path: Path) -> None:
    w = _wizard(qtbot, ctx)
    _to_mapping(qtbot, w, _roster(tmp_path, village))
    page = w.mapping_page
    assert _next_enabled(w)
    page.combos[3].setCurrentIndex(0)  # (do not import)
    assert 3 not in w.mapping
    assert page.problems.isVisibleTo(w) and "所属村" in page.problems.text()
    assert not _next_enabled(w)
    w.next()
    assert w.currentId() == w.MAPPING  # refused
    # the same field for two columns: named, and still blocked
    page.combos[4].setCurrentIndex(page.combos[4].findData("village"))
    page.combos[3].setCurrentIndex(page.combos[3].findData("village"))
    assert "对应了两列" in page.problems.text() and not _next_enabled(w)
    page.combos[4].setCurrentIndex(page.combos[4].findData("notes"))
    assert not page.problems.isVisibleTo(w) and _next_enabled(w)
    assert "→ 所属村" in page.sample.horizontalHeaderItem(3).text()


def test_another_header_row_is_read_again(qtbot, ctx: AppContext, village: str, tmp_path: Path) -> None:
    w = _wizard(qtbot, ctx)
    _to_mapping(qtbot, w, _roster(tmp_path, village))
    page = w.mapping_page
    page.header_row.setValue(1)  # the title row
    qtbot.waitUntil(lambda: w.loaded.header.row == 0 and not w.reading, timeout=10_000)
    assert page.table.rowCount() == 5 and page.table.item(0, 1).text().startswith("城口县")
    assert not _next_enabled(w) and "必须指定" in page.problems.text()
    w.set_header_row(2)
    qtbot.waitUntil(lambda: w.loaded.header.row == 1 and not w.reading, timeout=10_000)
    assert page.combos[0].currentData() == "name" and _next_enabled(w)


def test_a_workbook_with_several_sheets_offers_the_choice(qtbot, ctx: AppContext, village: str,
                                                          tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "two.xlsx", [["说明"], ["这一页不是名单"]],
                 sheets={"二组": [HEAD[:4], ["周一", resident(9), "13800138009", village]]})
    w = _wizard(qtbot, ctx)
    _open(qtbot, w, path)
    page = w.file_page
    assert page.sheet.isVisibleTo(w) and [page.sheet.itemText(i) for i in range(2)] == ["花名册", "二组"]
    w.choose_sheet("二组")
    qtbot.waitUntil(lambda: not w.reading and w.loaded.sheet == "二组", timeout=10_000)
    assert w.count == 1 and w.mapping == {0: "name", 1: "id_number", 2: "mobile", 3: "village"}
    assert page.sheet.currentText() == "二组"


def test_the_preview_counts_new_and_rejected_rows_with_their_reasons(qtbot, ctx: AppContext, village: str,
                                                                     tmp_path: Path) -> None:
    w = _wizard(qtbot, ctx)
    _to_preview(qtbot, w, _roster(tmp_path, village))
    page = w.preview_page
    counts = w.plan.counts()
    assert counts[ic.NEW] == 3 and counts[ic.REJECTED] == 2
    assert "新增 3" in page.counts.text() and "拒绝 2" in page.counts.text()
    model = page.model
    assert model.rowCount() == 5
    rows = [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(5)]
    assert [r[1] for r in rows] == ["拒绝", "拒绝", "新增", "新增", "新增"]  # refused first
    assert [r[0] for r in rows[:2]] == ["6", "7"]
    assert "校验位" in rows[0][6] and "没有这个村" in rows[1][6]
    assert rows[2][2] == "王大山" and rows[2][3] == mask_id(resident(1)) and rows[2][4] == "138****8001"
    assert _next_enabled(w)
    page.only_rejected.setChecked(True)
    assert model.rowCount() == 2
    page.only_rejected.setChecked(False)
    assert model.rowCount() == 5
    # another duplicate choice: checked again
    first = w.plan
    page.radios[ic.UPDATE].setChecked(True)
    assert w.duplicate == ic.UPDATE
    qtbot.waitUntil(lambda: w.planning is None and w.plan is not None and w.plan is not first, timeout=15_000)
    assert w.plan.on_duplicate == ic.UPDATE


def test_commit_writes_the_clients_publishes_the_change_and_saves_the_refused_rows(
        qtbot, ctx: AppContext, village: str, tmp_path: Path, changes: list) -> None:
    numbers = [resident(n) for n in range(1, 6)]
    assert _count(ctx, numbers) == 0
    w = _wizard(qtbot, ctx)
    _to_preview(qtbot, w, _roster(tmp_path, village))
    w.next()  # Import
    assert w.currentId() == w.COMMIT
    qtbot.waitUntil(lambda: w.commit_done, timeout=15_000)
    assert w.result is not None and w.result.ok, w.commit_error
    assert _count(ctx, numbers[:3]) == 3 and _count(ctx, numbers[3:]) == 0
    assert len(changes) == 1 and changes[0][0].touches("client") and changes[0][1] is w
    assert len(changes[0][0].uids) == 3
    page = w.commit_page
    assert "新增 3" in page.counts.text() and not page.pairs.isVisibleTo(w)
    assert w.button(QWizard.WizardButton.FinishButton).isEnabled()
    # the refused rows, as they were, with the reason
    assert page.save_errors.isVisibleTo(w)
    out = tmp_path / "errors.xlsx"
    w.save_errors(out)
    qtbot.waitUntil(lambda: w.errors_path == out, timeout=10_000)
    assert w.errors_written == 2 and str(out) in page.saved.text()
    ws = openpyxl.load_workbook(out).active
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    assert got[0][:5] == HEAD and ic.REASON_HEADER in got[0]
    reason = got[0].index(ic.REASON_HEADER)
    assert [r[0] for r in got[1:]] == ["坏校验", "没有村"] and all(r[reason] for r in got[1:])


def test_merge_pairs_are_listed_after_the_commit(qtbot, ctx: AppContext, village: str, tmp_path: Path) -> None:
    db = ctx.store.connect(readonly=True)
    existing_id, existing_no = db.conn.execute(
        "SELECT id_number, id FROM clients WHERE deleted = 0 AND id_number IS NOT NULL AND length(id_number) = 18"
        " ORDER BY id LIMIT 1").fetchone()
    db.close()
    path = _xlsx(tmp_path / "dupe.xlsx", [HEAD[:4], ["同一人", existing_id, "13711112222", village]])
    w = _wizard(qtbot, ctx)
    _to_preview(qtbot, w, path)
    assert w.plan.counts()[ic.SKIPPED] == 1 and not _next_enabled(w)  # skipped: nothing to import
    w.preview_page.radios[ic.MERGE].setChecked(True)
    qtbot.waitUntil(lambda: w.planning is None and w.plan is not None and w.plan.on_duplicate == ic.MERGE,
                    timeout=15_000)
    assert _next_enabled(w)
    w.next()
    qtbot.waitUntil(lambda: w.commit_done, timeout=15_000)
    assert w.result.ok and len(w.pairs) == 1
    line, name, shown, old, _new = w.pairs[0]
    assert (line, name, shown, old) == (2, "同一人", mask_id(existing_id), existing_no)
    page = w.commit_page
    assert page.pairs.isVisibleTo(w) and page.pairs_note.isVisibleTo(w) and page.pairs.rowCount() == 1
    assert not page.save_errors.isVisibleTo(w)  # nothing refused


def test_cancelling_the_check_stops_it(qtbot, ctx: AppContext, village: str, tmp_path: Path) -> None:
    w = _wizard(qtbot, ctx)
    _to_mapping(qtbot, w, _roster(tmp_path, village))
    gate = _block(w._worker)
    w.next()
    assert w.planning is not None and w.preview_page.cancel.isVisibleTo(w) and not _next_enabled(w)
    task = w.planning
    w.preview_page.cancel.click()
    gate.set()
    qtbot.waitUntil(lambda: task.done, timeout=10_000)
    assert w.plan is None and w.planning is None and not _next_enabled(w)
    assert w.preview_page.error.isVisibleTo(w) and w.preview_page.again.isVisibleTo(w)
    w.preview_page.again.click()
    qtbot.waitUntil(lambda: w.plan is not None, timeout=15_000)
    assert _next_enabled(w)


def test_cancelling_the_commit_writes_nothing(qtbot, ctx: AppContext, village: str, tmp_path: Path,
                                              changes: list) -> None:
    w = _wizard(qtbot, ctx)
    _to_preview(qtbot, w, _roster(tmp_path, village))
    gate = _block(ctx.writer)
    w.next()
    assert w.committing is not None and w.commit_page.cancel.isVisibleTo(w)
    assert not w.button(QWizard.WizardButton.FinishButton).isEnabled()
    w.reject()  # Escape / closing: asks the commit to stop, the wizard stays open to say what happened
    assert w.isVisible()
    gate.set()
    qtbot.waitUntil(lambda: w.commit_done, timeout=15_000)
    assert w.cancelled and not w.result.ok
    assert _count(ctx, [resident(n) for n in range(1, 6)]) == 0 and changes == []
    assert not w.commit_page.save_errors.isVisibleTo(w)
    assert "import_mappings" not in ctx.settings.extra  # nothing remembered either
    assert w.button(QWizard.WizardButton.FinishButton).isEnabled()


def test_a_second_file_of_the_same_layout_takes_the_remembered_mapping(qtbot, ctx: AppContext, village: str,
                                                                       tmp_path: Path) -> None:
    w = _wizard(qtbot, ctx)
    _to_mapping(qtbot, w, _roster(tmp_path, village))
    w.mapping_page.combos[4].setCurrentIndex(w.mapping_page.combos[4].findData("address"))  # 备注 holds addresses
    w.next()
    qtbot.waitUntil(lambda: w.plan is not None, timeout=15_000)
    w.next()
    qtbot.waitUntil(lambda: w.commit_done, timeout=15_000)
    assert w.result.ok
    w.accept()
    second = _xlsx(tmp_path / "next-month.xlsx", [
        ["城口县某村农户花名册（2026 年 4 月）"], HEAD, ["周二", resident(11), "13800138011", village, "老街 3 号"]])
    w2 = _wizard(qtbot, ctx)
    _to_mapping(qtbot, w2, second)
    assert w2.loaded.remembered and w2.mapping_page.remembered.isVisibleTo(w2)
    assert w2.mapping_page.combos[4].currentData() == "address"


def test_a_file_that_cannot_be_read_shows_why_and_the_wizard_stays_usable(qtbot, ctx: AppContext, village: str,
                                                                          tmp_path: Path) -> None:
    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(b"this is not a workbook")
    w = _wizard(qtbot, ctx)
    w.open_file(broken)
    page = w.file_page
    qtbot.waitUntil(lambda: not w.reading, timeout=10_000)
    assert w.loaded is None and page.error.isVisibleTo(w)
    assert "无法读取" in page.error.text() and "坏文件.xlsx" in page.error.text()
    assert not _next_enabled(w)
    w.open_file(tmp_path / "没有.xlsx")
    qtbot.waitUntil(lambda: not w.reading, timeout=10_000)
    assert "找不到文件" in page.error.text()
    # a GBK csv then reads, and the error goes
    good = tmp_path / "roster.csv"
    good.write_bytes(("户主姓名,身份证号码,联系电话,村\n"
                      f"王大山,{resident(21)},13800138021,{village}\n").encode("gbk"))
    _open(qtbot, w, good)
    assert not page.error.isVisibleTo(w) and _next_enabled(w) and w.count == 1
    assert not page.sheet.isVisibleTo(w)  # a csv has one sheet


def test_the_client_book_opens_the_wizard_only_for_staff_who_may_add_clients(qtbot, ctx: AppContext) -> None:
    ws = ClientsWorkspace(ctx)
    qtbot.addWidget(ws)
    assert ws.import_button.isEnabled()
    wizard = ws.import_dialog()
    assert isinstance(wizard, ImportWizard) and wizard.kind is CLIENTS and wizard.isVisible()
    wizard.reject()
    county = Staff(id=ctx.staff.id, code=ctx.staff.code, name=ctx.staff.name, role=Role.COUNTY)
    other = ClientsWorkspace(dataclasses.replace(ctx, staff=county))
    qtbot.addWidget(other)
    assert not other.import_button.isEnabled() and other.import_dialog() is None


# --- the other kinds: a sheet of scenario figures, a list of nominations ---------------------------


def test_scenario_figures_with_the_month_given_once_from_the_scenarios_page(qtbot, ctx: AppContext,
                                                                              tmp_path: Path, changes: list) -> None:
    from app.ui.main_window import MainWindow
    from app.ui.scenarios import ScenariosWorkspace

    db = ctx.store.connect(readonly=True)
    uid, name = db.conn.execute("SELECT uid, name FROM scenarios WHERE scenario_type = 'clinic' AND deleted = 0"
                                " ORDER BY name LIMIT 1").fetchone()
    db.close()
    path = _xlsx(tmp_path / "月报.xlsx", [["场景名称", "开户数", "支付笔数"], [name, 3, 40],
                                          ["没有这个场景", 1, 2], ["合计", 4, 42]])
    win = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(win)
    page = next(x for x in win.workspaces if isinstance(x, ScenariosWorkspace)).list_page
    assert page.import_button.isEnabled()
    w = page.import_figures()
    assert w.kind.key == "metrics" and w.windowTitle() == "导入场景月度指标"
    _to_mapping(qtbot, w, path)
    assert "必须指定哪一列是“期间”" in w.mapping_page.problems.text() and not _next_enabled(w)
    month = w.mapping_page.option_inputs["period"]
    month.setText("三月")
    assert "不是月份" in w.mapping_page.problems.text() and not _next_enabled(w)
    month.setText("2023年9月")
    assert w.problems() == [] and _next_enabled(w)
    w.next()
    qtbot.waitUntil(lambda: w.planning is None and w.plan is not None, timeout=15_000)
    assert w.plan.period == "2023-09"
    assert [(r.line, r.status) for r in w.ordered] == [(3, "rejected"), (2, "new")]  # 合计 left out
    assert "不存在" in w.ordered[0].reason
    w.next()
    qtbot.waitUntil(lambda: w.commit_done, timeout=15_000)
    assert w.result is not None and w.result.ok
    assert changes and changes[-1][0].touches("scenario_metric")
    db = ctx.store.connect(readonly=True)
    got = dict(db.conn.execute("SELECT metric, value FROM scenario_metrics WHERE scenario = ? AND period = ?"
                               " AND deleted = 0", (uid, "2023-09")).fetchall())
    db.close()
    assert got == {"accounts": 3, "payments": 40}
    w.accept()  # Finish: the wizard stops its worker


def test_nominations_from_the_whitelist_page_with_amounts_in_wan(qtbot, demo_dir: Path, tmp_path: Path) -> None:
    from app.ui.main_window import MainWindow
    from app.ui.whitelist.workspace import WhitelistWorkspace

    app = create_application([])
    i18n.install(app, "zh_CN")
    context = build_context(Store.open(demo_dir), "M0003")  # a manager nominates
    try:
        path = _xlsx(tmp_path / "推荐.xlsx", [
            ["姓名", "身份证号码", "手机号码", "产业集群", "申请额度"],
            ["谭光荣", resident(300), "13800001111", "茶叶产业集群", 6],
            ["没集群", resident(301), "13800001112", "不存在的集群", 5],
        ])
        win = MainWindow(context, auto_sync=False)
        qtbot.addWidget(win)
        ws = next(x for x in win.workspaces if isinstance(x, WhitelistWorkspace))
        w = ws.import_nominations()
        assert w.kind.key == "nominations"
        _to_mapping(qtbot, w, path)
        unit = w.mapping_page.option_inputs["unit"]
        unit.setCurrentIndex(unit.findData("万元"))
        w.next()
        qtbot.waitUntil(lambda: w.planning is None and w.plan is not None, timeout=15_000)
        first = next(r for r in w.plan.rows if r.line == 2)
        assert first.status == "new" and first.amount_fen == 6_000_000 and first.shown_id == mask_id(resident(300))
        refused = next(r for r in w.plan.rows if r.line == 3)
        assert refused.status == "rejected" and "集群" in refused.reason
        w.next()
        qtbot.waitUntil(lambda: w.commit_done, timeout=15_000)
        assert w.result is not None and w.result.ok
        db = context.store.connect(readonly=True)
        n = db.conn.execute("SELECT amount_fen, staff FROM nominations WHERE id_number = ?",
                            (resident(300),)).fetchone()
        db.close()
        assert n == (6_000_000, "M0003")
        w.accept()
    finally:
        context.shutdown()
