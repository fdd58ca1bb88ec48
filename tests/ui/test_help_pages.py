"""The bundled offline help (``resources/help/zh_CN``): every page is there, well formed in the
HTML subset QTextBrowser renders, linked only to pages and anchors that exist, offline (no web
address, script, image or style sheet), mostly Chinese, and shown by a real QTextBrowser.

Only the last test needs Qt (pytest-qt's ``qtbot``, offscreen)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.resources import resource_path

HELP = resource_path("help/zh_CN")

WORKSPACE_PAGES = (
    "today.html", "clients.html", "scenarios.html", "whitelist.html", "campaigns.html", "followups.html",
    "sheets.html", "reports.html", "sync.html", "import.html",
)
PAGES = (*WORKSPACE_PAGES, "shortcuts.html", "guide.html", "index.html")
GUIDE_SECTIONS = ("signin", "pin", "today", "print", "sync")
WORKSPACE_SECTIONS = ("这一页做什么", "常用操作", "注意", "相关页面")

# the HTML 4 subset the pages keep to (what QTextBrowser renders); meta and br have no end tag
ALLOWED_TAGS = frozenset({
    "html", "head", "meta", "title", "body", "h1", "h2", "h3", "p", "ul", "ol", "li", "table", "tr", "th", "td",
    "b", "code", "a", "br",
})
VOID_TAGS = frozenset({"meta", "br"})
FORBIDDEN = ("http://", "https://", "<script", "<img", "<link")

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
ASCII_LETTER = re.compile(r"[A-Za-z]")


@dataclass
class Parsed:
    """What a page holds, as ``html.parser`` read it."""

    title: str = ""
    h1: str = ""
    charset: str = ""
    ids: list[str] = field(default_factory=list)  # id attributes and <a name>
    links: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # start tags in order
    h2: list[tuple[str | None, str]] = field(default_factory=list)  # (id, text)
    text: str = ""  # everything outside tags
    problems: list[str] = field(default_factory=list)  # unbalanced tags


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Parsed()
        self.stack: list[str] = []
        self._capture: str | None = None  # "title", "h1" or "h2" while inside one
        self._buffer: list[str] = []
        self._h2_id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        p, a = self.page, dict(attrs)
        p.tags.append(tag)
        if a.get("id"):
            p.ids.append(a["id"] or "")
        if tag == "a" and a.get("name"):
            p.ids.append(a["name"] or "")
        if tag == "a" and a.get("href") is not None:
            p.links.append(a["href"] or "")
        if tag == "meta" and a.get("charset"):
            p.charset = (a["charset"] or "").lower()
        if tag in ("title", "h1", "h2") and self._capture is None:
            self._capture, self._buffer, self._h2_id = tag, [], a.get("id")
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        if not self.stack or self.stack[-1] != tag:
            self.page.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '(nothing)'}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == self._capture:
            text = "".join(self._buffer).strip()
            if tag == "title":
                self.page.title = text
            elif tag == "h1":
                self.page.h1 = self.page.h1 or text
            else:
                self.page.h2.append((self._h2_id, text))
            self._capture = None

    def handle_data(self, data: str) -> None:
        self.page.text += data
        if self._capture is not None:
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        if self.stack:
            self.page.problems.append("not closed: " + ", ".join(f"<{t}>" for t in self.stack))


@cache
def parsed(name: str) -> Parsed:
    reader = _Reader()
    reader.feed((HELP / name).read_text(encoding="utf-8"))  # strict: a page that is not UTF-8 fails here
    reader.close()
    return reader.page


def test_every_page_exists() -> None:
    missing = [name for name in PAGES if not (HELP / name).is_file()]
    assert missing == []


@pytest.mark.parametrize("name", PAGES)
def test_page_parses_with_title_h1_and_charset(name: str) -> None:
    page = parsed(name)
    assert page.problems == []
    assert page.title
    assert page.h1
    assert page.h1 in page.title  # the window title names the page
    assert page.charset == "utf-8"
    assert page.tags.count("h1") == 1
    assert set(page.tags) <= ALLOWED_TAGS, sorted(set(page.tags) - ALLOWED_TAGS)


@pytest.mark.parametrize("name", PAGES)
def test_tables_have_border_and_padding(name: str) -> None:
    raw = (HELP / name).read_text(encoding="utf-8")
    tables = re.findall(r"<table\b[^>]*>", raw)
    assert all('border="1"' in t and 'cellpadding="4"' in t for t in tables), tables


@pytest.mark.parametrize("name", PAGES)
def test_links_point_at_existing_pages_and_anchors(name: str) -> None:
    page = parsed(name)
    assert page.links, f"{name} links nowhere"
    for href in page.links:
        parts = urlsplit(href)
        assert not parts.scheme and not parts.netloc, f"{name}: {href} is not a relative link"
        assert not parts.path.startswith("/"), f"{name}: {href} is an absolute path"
        target = parts.path or name
        assert (HELP / target).is_file(), f"{name}: {href} names no page"
        if parts.fragment:
            assert parts.fragment in parsed(target).ids, f"{name}: {href} names no anchor in {target}"


@pytest.mark.parametrize("name", PAGES)
def test_ids_are_unique(name: str) -> None:
    page = parsed(name)
    # an anchor is written twice on purpose (<h2 id="x"><a name="x">), never for two places
    raw = (HELP / name).read_text(encoding="utf-8")
    assert len(re.findall(r'\bid="([^"]+)"', raw)) == len(set(re.findall(r'\bid="([^"]+)"', raw)))
    assert all(page.ids.count(i) <= 2 for i in page.ids)


@pytest.mark.parametrize("name", PAGES)
def test_offline_only(name: str) -> None:
    raw = (HELP / name).read_text(encoding="utf-8").lower()
    for bad in FORBIDDEN:
        assert bad not in raw, f"{name} contains {bad}"
    assert "style=" not in raw and "<style" not in raw  # no CSS of any kind


@pytest.mark.parametrize("name", PAGES)
def test_page_is_mostly_chinese(name: str) -> None:
    text = parsed(name).text
    cjk, ascii_letters = len(CJK.findall(text)), len(ASCII_LETTER.findall(text))
    assert cjk > ascii_letters, f"{name}: {cjk} CJK characters, {ascii_letters} ASCII letters"
    assert cjk > 100


def test_index_links_every_page() -> None:
    linked = {urlsplit(href).path for href in parsed("index.html").links}
    assert set(PAGES) - {"index.html"} <= linked


def test_guide_has_the_five_sections_in_order() -> None:
    page = parsed("guide.html")
    assert [i for i, _text in page.h2] == list(GUIDE_SECTIONS)
    assert [i for i in page.ids if i in GUIDE_SECTIONS] == [i for i in GUIDE_SECTIONS for _ in (0, 1)]
    titles = [text for _i, text in page.h2]
    for word, title in zip(("登录", "PIN", "今日", "打印", "同步"), titles, strict=True):
        assert word in title


def test_guide_sections_are_short() -> None:
    raw = (HELP / "guide.html").read_text(encoding="utf-8")
    body = raw.split("</h1>", 1)[1]
    sections = re.split(r"<h2\b", body)[1:]
    assert len(sections) == len(GUIDE_SECTIONS)
    for section in sections:
        text = re.sub(r"<[^>]+>", "", section.split(">", 1)[1])
        heading, _, rest = text.strip().partition("\n")
        # "3-6 sentences or a short list": each list item counts as one, whatever it holds
        outside_lists = re.sub(r"<li>.*?</li>", "", section, flags=re.S)
        sentences = len(re.findall(r"[。！？]", outside_lists))
        items = section.count("<li>")
        assert 3 <= sentences + items <= 7, (heading, sentences, items)
        assert len(CJK.findall(rest)) <= 220, heading


@pytest.mark.parametrize("name", WORKSPACE_PAGES)
def test_workspace_page_has_the_usual_sections(name: str) -> None:
    page = parsed(name)
    headings = [text for _i, text in page.h2]
    at = [headings.index(s) if s in headings else -1 for s in WORKSPACE_SECTIONS]
    assert -1 not in at, f"{name}: sections {headings}"
    assert at == sorted(at), f"{name}: sections out of order {headings}"
    raw = (HELP / name).read_text(encoding="utf-8")
    steps = raw.split("<h2>常用操作</h2>", 1)[1].split("<h2>注意</h2>", 1)[0]
    assert "<ol>" in steps, f"{name}: 常用操作 has no numbered steps"
    related = raw.split("<h2>相关页面</h2>", 1)[1]
    assert 'href="' in related


def test_privacy_rules_are_where_they_belong() -> None:
    text = {name: parsed(name).text for name in PAGES}
    for name in ("clients.html", "sheets.html", "index.html"):
        assert "遮蔽" in text[name] and "审计" in text[name], name
    for name in ("campaigns.html", "index.html"):
        assert "禁用词" in text[name] and "慎用词" in text[name], name
    assert "理财非存款，产品有风险，投资须谨慎" in text["campaigns.html"]


def test_keyboard_page_names_the_global_keys() -> None:
    text = parsed("shortcuts.html").text
    for key in ("Ctrl+1", "Ctrl+9", "Ctrl+K", "F1"):
        assert key in text


@pytest.mark.parametrize("name", PAGES)
def test_qtextbrowser_shows_the_page(qtbot, name: str) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtWidgets import QTextBrowser

    browser = QTextBrowser()
    qtbot.addWidget(browser)
    browser.setSource(QUrl.fromLocalFile(str(Path(HELP) / name)))
    document = browser.document()
    text = document.toPlainText()
    page = parsed(name)
    assert text.strip()
    assert page.h1 in text
    assert "\ufffd" not in text  # read as UTF-8, from its meta charset
    assert browser.documentTitle() == page.title
    # the anchors the other pages link to are anchors in Qt's document too
    anchors: set[str] = set()
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            anchors.update(it.fragment().charFormat().anchorNames())
            it += 1
        block = block.next()
    assert set(page.ids) <= anchors
