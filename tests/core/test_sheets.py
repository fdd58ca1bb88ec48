"""What a scanned code and a keyed row mean (回录), and the QR matrix against reportlab's own."""

from __future__ import annotations

import random
import string
from datetime import date

import pytest
from reportlab.graphics.barcode import qrencoder

from app.core.errors import FieldError
from app.core.sheets import Keyed, parse_key, parse_scan
from app.printing.sheet import QR_MASK, qr_modules

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(("text", "expected"), [
    ("M261202-0001", ("M261202-0001", None)),
    ("M261202-0001:17", ("M261202-0001", 17)),
    (" m261202-0001：17 ", ("M261202-0001", 17)),  # a scanner behind a Chinese input method
    ("W261202-12345:3", ("W261202-12345", 3)),
    ("X261202-0001", None),
    ("M261202-0001:", None),
    ("M2612-0001", None),
    ("", None),
])
def test_scans_and_typed_numbers(text: str, expected: tuple | None) -> None:
    assert parse_scan(text) == expected


def test_keyed_codes() -> None:
    assert parse_key("0", TODAY) == Keyed(False)
    assert parse_key("32", TODAY) == Keyed(True, "phone", "2", None)
    assert parse_key(" 13  1215 ", TODAY) == Keyed(True, "visit", "3", date(2026, 12, 15))
    assert parse_key("51 0110", TODAY) == Keyed(True, "sms", "1", date(2027, 1, 10))  # passed: next year
    assert parse_key("41 1202", TODAY).next_date == date(2027, 12, 2)  # today is not a next date


@pytest.mark.parametrize(("text", "words"), [
    ("72", "拜访方式"), ("36", "跟进情况"), ("3", "不是回录结果"), ("32 1301", "不是有效的月日"),
    ("32 12", "不是回录结果"), ("电话", "不是回录结果"), ("00", "不是回录结果"),
])
def test_wrong_codes_say_what_is_wrong(text: str, words: str) -> None:
    got = parse_key(text, TODAY)
    assert isinstance(got, FieldError) and words in got.message


def test_the_qr_matrix_is_reportlabs_own() -> None:
    """The cached layout gives, bit for bit, what reportlab's encoder makes with the same mask."""
    rnd = random.Random(16)
    values = [f"M261202-{rnd.randint(0, 9999):04d}:{rnd.randint(1, 10000)}" for _ in range(100)]
    values += ["".join(rnd.choices(string.printable, k=rnd.randint(1, 80))) for _ in range(50)] + ["回录" * 9]
    for v in values:
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        code.addData(v)
        code.version = code.calculate_version()
        code.makeImpl(False, QR_MASK)
        assert qr_modules(v) == [[bool(m) for m in row] for row in code.modules], v
