"""The marketing-language checker on a 2,000-character script (issue 15: ≤ 5 ms). Prints its figures.

    .venv/bin/python -m pytest -m perf -s tests/perf/test_compliance_perf.py
"""

from __future__ import annotations

import random
import statistics
import time

import pytest

from app.core.compliance import check_text
from app.services.compliance import default_word_list


@pytest.mark.perf
def test_the_checker_on_a_two_thousand_character_script() -> None:
    words = default_word_list()
    rng = random.Random(15)
    filler = "本网点开展手机银行激活活动，客户经理上门协助村民完成首次登录并介绍缴费、转账等功能。"
    vocab = [*words.block, *words.warn, *words.allowed]
    scripts = []
    for _ in range(50):
        parts = []
        while sum(map(len, parts)) < 2000:
            parts.append(filler if rng.random() < 0.8 else rng.choice(vocab))
        scripts.append("".join(parts)[:2000])
    runs = []
    for text in scripts * 10:
        t = time.perf_counter()
        check_text(text, words, wealth=True)
        runs.append(time.perf_counter() - t)
    med = statistics.median(runs) * 1000
    p99 = sorted(runs)[int(len(runs) * 0.99) - 1] * 1000
    print(f"\nchecker, 2,000 characters, {len(words.block) + len(words.warn) + len(words.allowed)} words in the list:"
          f" median {med:.2f} ms, p99 {p99:.2f} ms (target ≤ 5 ms)")
    assert p99 <= 5
