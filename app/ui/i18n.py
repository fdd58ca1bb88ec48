"""Translations: English source strings in ``tr()``, Chinese in ``resources/translations``.

``branchdesk_zh_CN.ts`` is the source of truth for the Chinese text; the
``.qm`` beside it is compiled from it with ``pyside6-lrelease``. Maintainers:

    python -m app.ui.i18n update    # pyside6-lupdate: add new tr() strings to the .ts
    python -m app.ui.i18n release   # pyside6-lrelease: compile .ts -> .qm
    python -m app.ui.i18n check     # exit 1 if any string is untranslated or .qm is stale
    python -m app.ui.i18n fill F.json   # set translations from {"source": "译文"} (any context)
    python -m app.ui.i18n todo      # list untranslated sources as a JSON skeleton
    python -m app.ui.i18n domain    # English: add new declared labels to branchdesk_en.ts
                                    # (then fill with --lang en, release --lang en)

``branchdesk_en.ts`` holds only the ``Domain`` context: the labels declared in
Chinese with the kinds (``app.ui.labels``), in English. A test runs the check
for both languages, so an untranslated string or label fails CI.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.resources import resource_path

LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
TS_NAME = "branchdesk_{lang}.ts"
QM_NAME = "branchdesk_{lang}.qm"
SOURCE_DIRS = ("app/ui",)

_installed: list[QTranslator] = []


def install(app: QCoreApplication, language: str = DEFAULT_LANGUAGE) -> bool:
    """Install our translator and Qt's own (standard buttons, dialogs). UI thread.

    Returns False when the language's .qm is missing (the UI then shows English).
    """
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    if language == "en":
        QLocale.setDefault(QLocale("en_US"))
        labels = QTranslator(app)  # the declared (Chinese) labels in English; tr() text is English already
        ok = labels.load(str(resource_path(f"translations/{QM_NAME.format(lang='en')}")))
        if ok:
            app.installTranslator(labels)
            _installed.append(labels)
        return ok
    QLocale.setDefault(QLocale(language))
    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(f"qtbase_{language}", qt_dir):
        app.installTranslator(qt)
        _installed.append(qt)
    ours = QTranslator(app)
    qm = resource_path(f"translations/{QM_NAME.format(lang=language)}")
    ok = ours.load(str(qm))
    if ok:
        app.installTranslator(ours)
        _installed.append(ours)
    return ok


# --- maintainer commands ------------------------------------------------------------


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _tool(name: str) -> str:
    exe = shutil.which(f"pyside6-{name}")
    if exe:
        return exe
    return str(Path(sys.executable).with_name(f"pyside6-{name}"))


def _sources(root: Path) -> list[str]:
    files = []
    for d in SOURCE_DIRS:
        files += sorted(str(p) for p in (root / d).rglob("*.py"))
    return files


def update(lang: str = "zh_CN") -> Path:
    root = _repo_root()
    ts = root / "resources" / "translations" / TS_NAME.format(lang=lang)
    subprocess.run(
        [_tool("lupdate"), *_sources(root), "-no-obsolete", "-locations", "none", "-ts", str(ts)],
        check=True,
    )
    return ts


def release(lang: str = "zh_CN") -> Path:
    root = _repo_root()
    ts = root / "resources" / "translations" / TS_NAME.format(lang=lang)
    qm = ts.with_suffix(".qm")
    subprocess.run([_tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)
    return qm


def untranslated(ts: Path) -> list[tuple[str, str]]:
    """(context, source) of every message without a finished translation."""
    out = []
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            source = msg.findtext("source") or ""
            if (
                tr is None
                or tr.get("type") in ("unfinished", "vanished", "obsolete")
                or (not (tr.text or "").strip() and not list(tr))
            ):
                out.append((name, source))
    return out


def domain_update(lang: str = "en") -> tuple[Path, int]:
    """Make the ``Domain`` context of ``lang``'s .ts hold exactly the declared labels: new ones
    added unfinished, ones no longer declared dropped, translations kept. Returns (ts, added)."""
    from app.ui.labels import CONTEXT, domain_labels

    ts = _ts_path(lang)
    empty = ET.Element("TS", {"version": "2.1", "language": lang})
    tree = ET.parse(ts) if ts.exists() else ET.ElementTree(empty)
    root = tree.getroot()
    ctx = next((c for c in root.iter("context") if c.findtext("name") == CONTEXT), None)
    if ctx is None:
        ctx = ET.SubElement(root, "context")
        ET.SubElement(ctx, "name").text = CONTEXT
    wanted = domain_labels()
    have = {m.findtext("source"): m for m in ctx.findall("message")}
    for source, msg in have.items():
        if source not in wanted:
            ctx.remove(msg)
    added = 0
    for source in wanted:
        if source not in have:
            msg = ET.SubElement(ctx, "message")
            ET.SubElement(msg, "source").text = source
            ET.SubElement(msg, "translation", {"type": "unfinished"})
            added += 1
    _write_ts(tree, ts)
    return ts, added


def _write_ts(tree: ET.ElementTree, ts: Path) -> None:
    ET.indent(tree, space="    ")
    with open(ts, "wb") as fh:
        fh.write(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        tree.write(fh, encoding="utf-8", xml_declaration=False)


def check(lang: str = "zh_CN") -> list[str]:
    """Problems: strings in the code missing from the .ts, untranslated ones, a stale .qm.

    English: every declared label the app shows has an English translation."""
    root = _repo_root()
    ts = root / "resources" / "translations" / TS_NAME.format(lang=lang)
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / ts.name
        shutil.copy(ts, fresh)
        if lang == "en":
            from app.ui.labels import domain_labels

            present = {m.findtext("source") for m in ET.parse(ts).getroot().iter("message")}
            problems += [f"label missing from {ts.name}: {s!r} (run python -m app.ui.i18n domain)"
                         for s in domain_labels() if s not in present]
        else:
            subprocess.run(
                [_tool("lupdate"), *_sources(root), "-no-obsolete", "-locations", "none", "-silent", "-ts",
                 str(fresh)],
                check=True,
                capture_output=True,
            )
        for ctx, src in untranslated(fresh):
            problems.append(f"untranslated [{ctx}] {src!r}")
        qm = Path(tmp) / "fresh.qm"
        subprocess.run([_tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)
        committed = ts.with_suffix(".qm")
        if not committed.exists() or committed.read_bytes() != qm.read_bytes():
            problems.append(f"{committed.name} is stale: run python -m app.ui.i18n release")
    return problems


def _ts_path(lang: str = "zh_CN") -> Path:
    return _repo_root() / "resources" / "translations" / TS_NAME.format(lang=lang)


def fill(mapping: dict[str, str], lang: str = "zh_CN") -> int:
    """Write translations for the given sources that are still unfinished (marking them
    finished); a finished translation is never changed: the same English word may be
    translated differently in another context. Returns how many were written."""
    ts = _ts_path(lang)
    tree = ET.parse(ts)
    n = 0
    for msg in tree.getroot().iter("message"):
        source = msg.findtext("source") or ""
        if source in mapping:
            tr = msg.find("translation")
            if tr is not None and tr.get("type") != "unfinished" and (tr.text or "").strip():
                continue
            if tr is None:
                tr = ET.SubElement(msg, "translation")
            tr.text = mapping[source]
            tr.attrib.pop("type", None)
            n += 1
    _write_ts(tree, ts)
    return n


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = "zh_CN"
    if "--lang" in argv:
        i = argv.index("--lang")
        lang = argv[i + 1]
        del argv[i : i + 2]
    cmd = argv[0] if argv else "check"
    if cmd == "update":
        print(update(lang))
    elif cmd == "release":
        print(release(lang))
    elif cmd == "domain":
        ts, added = domain_update()
        print(f"{ts}: {added} new label(s)")
    elif cmd == "fill":
        import json

        mapping = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        print(f"filled {fill(mapping, lang)} message(s)")
    elif cmd == "todo":
        import json

        todo = {src: "" for _, src in untranslated(_ts_path(lang))}
        print(json.dumps(todo, ensure_ascii=False, indent=2))
    elif cmd == "check":
        problems = check(lang)
        for p in problems:
            print(p)
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
