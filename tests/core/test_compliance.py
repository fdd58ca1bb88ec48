"""The marketing-language checker (issue 15) against every word of the shipped list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.compliance import WordList, blocked, check_text, highlight
from app.services.compliance import default_word_list, word_list
from app.store.db import write
from app.store.store import Store
from tests.conftest import run_cli

WORDS = default_word_list()


@pytest.mark.parametrize("word", WORDS.block)
def test_every_blocked_word_is_caught_alone_and_in_a_sentence(word: str) -> None:
    for text in (word, f"本行推出的产品{word}，欢迎咨询。"):
        found = check_text(text, WORDS)
        assert blocked(found), (word, text)
        hit = next(f for f in found if f.level == "block")
        assert word in hit.word or hit.word in word  # the longest blocked word wins
        assert text[hit.start:hit.start + len(hit.word)] == hit.word
        assert "禁用词" in hit.message


@pytest.mark.parametrize("word", WORDS.warn)
def test_every_warned_word_is_flagged_but_does_not_block(word: str) -> None:
    found = check_text(f"这款产品{word}，欢迎了解。", WORDS)
    assert [f.level for f in found] == ["warn"] and found[0].word == word
    assert not blocked(found)


@pytest.mark.parametrize("compound", WORDS.allowed)
def test_no_false_hit_on_an_allowed_compound(compound: str) -> None:
    assert check_text(f"村里开展{compound}宣传，请大家参加。", WORDS) == []


def test_the_list_has_the_words_the_rules_name() -> None:
    assert {"保本", "保证收益", "无风险", "稳赚不赔", "低风险", "高收益"} <= set(WORDS.block)
    assert {"安全", "保证", "第一", "秒杀"} <= set(WORDS.warn)
    assert {"安全生产", "保证金", "第一书记"} <= set(WORDS.allowed)
    assert not set(WORDS.block) & set(WORDS.warn)


def test_a_longer_blocked_word_wins_and_the_rest_is_still_seen() -> None:
    text = "保证收益，安全第一，安全生产"
    found = check_text(text, WORDS)
    assert [(f.word, f.level) for f in found] == [("保证收益", "block"), ("安全", "warn"), ("第一", "warn")]
    assert highlight(text, found[0]) == "【保证收益】，安全第一，安全生产"


def test_wealth_material_needs_its_risk_line() -> None:
    assert blocked(check_text("稳健理财，欢迎咨询", WORDS, wealth=True))
    assert not blocked(check_text(f"稳健理财，欢迎咨询。{WORDS.risk_line}", WORDS, wealth=True))
    assert not blocked(check_text("稳健理财，欢迎咨询", WORDS))


def test_head_office_s_list_replaces_the_shipped_one_once_synced(demo_dir: Path) -> None:
    store = Store.open(demo_dir)
    db = store.connect()
    try:
        assert word_list(db) == WORDS
        with write(db):
            db.conn.execute(
                "INSERT INTO compliance_words (uid, list_version, block, warn, risk_line, allowed, hq_seq, version,"
                " created_at, updated_at) VALUES ('default', '2027.1', ?, '[]', '投资有风险', '[]', 7, 1, '', '')",
                (json.dumps(["躺赚"], ensure_ascii=False),))
        hq = word_list(db)
        assert hq.version == "2027.1" and hq.block == ("躺赚",)
        assert blocked(check_text("躺赚好产品", hq))
    finally:
        db.close()


def test_check_text_headless(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("本产品保本保息，支持安全生产。", encoding="utf-8")
    bad = run_cli("check-text", str(script))
    assert bad.returncode == 1 and "【保本保息】" in bad.stdout and "不能用于客户" in bad.stdout
    ok = run_cli("check-text", "-", input="欢迎办理社保卡，驻村第一书记推荐。")
    assert ok.returncode == 0 and "未发现" in ok.stdout
    warned = run_cli("check-text", "-", "--json", input="安全可靠")
    data = json.loads(warned.stdout)
    assert warned.returncode == 0 and data["findings"][0]["level"] == "warn" and not data["blocked"]
    assert run_cli("check-text", "-", "--wealth", input="稳健理财").returncode == 1
    missing = run_cli("check-text", str(tmp_path / "none.txt"))
    assert missing.returncode == 2 and "不存在" in missing.stderr
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("保本".encode("gbk"))
    wrong = run_cli("check-text", str(gbk))
    assert wrong.returncode == 2 and "UTF-8" in wrong.stderr and "Traceback" not in wrong.stderr


def test_word_list_round_trips_as_data() -> None:
    again = WordList.from_dict({"version": WORDS.version, "block": list(WORDS.block), "warn": list(WORDS.warn),
                                "risk_line": WORDS.risk_line, "allowed": list(WORDS.allowed)})
    assert again == WORDS
