"""Field validation for the client book: parse text, return a value or a FieldError.

Resident IDs (GB 11643-1999) and credit codes (GB 32100-2015) build on the
well-kept ``python-stdnum`` checks. One deliberate difference from
``stdnum.cn.ric``: it requires the region code to have been valid *in the birth
year*; people keep the ID they were first issued, and re-registrations after a
county was renamed make that rule reject real numbers, so we accept a region
code that existed at any time (still looked up in stdnum's historical table).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from operator import mul

from stdnum import numdb
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from app.core.errors import FieldError
from app.core.money import parse_yuan

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ZEROS = 48 * sum(ID_WEIGHTS)  # the weighted sum of 17 "0" characters' codes
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-－—()（）]")


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for 17 digits."""
    if len(first17) != len(ID_WEIGHTS):  # (as zip(strict=True) refused it)
        raise ValueError(f"17 digits expected, got {len(first17)}")
    if first17.isascii() and first17.isdigit():  # ASCII digits: each one's value is its code minus 48
        return ID_CHECK[(sum(map(mul, first17.encode("ascii"), ID_WEIGHTS)) - _ZEROS) % 11]
    return ID_CHECK[sum(map(mul, map(int, first17), ID_WEIGHTS)) % 11]


@lru_cache(maxsize=8192)
def region_known(code: str) -> bool:
    """Whether a 6-digit administrative division code existed at any time (python-stdnum's table
    of divisions; remembered per code, as an import of a county's roster asks for a handful)."""
    info = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    return "county" in info


def resident_id(
    text: str, *, field: str = "id_number", label: str = "身份证号", today: date | None = None
) -> str | FieldError:
    """Validate an 18-character resident ID; returns the normalised number."""
    number = _SEPARATORS.sub("", text or "").upper()
    if not number:
        return FieldError(field, label, "required", f"{label}不能为空。")
    if len(number) == 18 and not (number[:17].isdigit() and number[17] in "0123456789X"):
        return FieldError(field, label, "format", f"{label}前 17 位必须是数字，最后一位是数字或 X。")
    # python-stdnum's RIC checks (``cn.ric.validate``) in its order, each answered in Chinese: length, digits,
    # GB 11643 check character, birth date, then the division code, looked up once per code (the
    # check of a whole roster spent most of its time redoing ``cn.ric.validate``'s table lookups)
    if len(number) != 18:
        return FieldError(field, label, "length", f"{label}应为 18 位，现在是 {len(number)} 位。")
    if not number[:17].isdigit():
        return FieldError(field, label, "format", f"{label}前 17 位必须是数字，最后一位是数字或 X。")
    want = id_check_char(number[:17])
    if number[17] != want:
        return FieldError(field, label, "checksum", f"{label}校验位不正确（按前 17 位应为 {want}），请核对是否录错。")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))  # as cn.ric.get_birth_date reads it
    except ValueError:
        return FieldError(field, label, "birth_date", f"{label}中的出生日期 {number[6:14]} 不是真实日期。")
    if not region_known(number[:6]):
        return FieldError(field, label, "region", f"{label}前 6 位地区码 {number[:6]} 不存在。")
    today = today or date.today()
    if born > today or born.year < 1900:
        return FieldError(field, label, "birth_date", f"{label}中的出生日期 {born.isoformat()} 不合理。")
    return number


def credit_code_checksum_ok(code: str) -> bool:
    """GB 32100: weights 3^(i-1) mod 31, check = 31 - sum mod 31 (31 -> 0)."""
    return uscc.is_valid(code)


def credit_code_kind(code: str) -> str | None:
    """'sole_trader' for 92…, 'cooperative' for 93…, 'enterprise' for 91…, else None."""
    return {"92": "sole_trader", "93": "cooperative", "91": "enterprise"}.get(code[:2])


def credit_code(
    text: str, *, override: bool = False, field: str = "id_number", label: str = "统一社会信用代码"
) -> str | FieldError:
    """Validate a unified social credit code.

    ``override``: a person with the right has confirmed an early pilot code
    whose checksum fails; length and alphabet are still enforced.
    """
    code = _SEPARATORS.sub("", text or "").upper()
    if not code:
        return FieldError(field, label, "required", f"{label}不能为空。")
    if len(code) != 18:
        return FieldError(field, label, "length", f"{label}应为 18 位，现在是 {len(code)} 位。")
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        return FieldError(
            field, label, "format", f"{label}含有不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V）。"
        )
    try:
        uscc.validate(code)
    except InvalidChecksum:
        if override:
            return code
        return FieldError(
            field, label, "checksum", f"{label}校验位不正确。若是早期试点代码，请由有权限的人员确认后保存。"
        )
    except ValidationError:
        if not override:
            return FieldError(field, label, "format", f"{label}格式不正确。")
    return code


def mobile(text: str, *, field: str = "mobile", label: str = "手机号") -> str | FieldError:
    """A mainland mobile number; '+86 138-0013-8000' and '0086…' are normalised."""
    number = _SEPARATORS.sub("", text or "")
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    if not number:
        return FieldError(field, label, "required", f"{label}不能为空。")
    if not number.isdigit():
        return FieldError(field, label, "format", f"{label}只能包含数字。")
    if len(number) != 11:
        return FieldError(field, label, "length", f"{label}应为 11 位，现在是 {len(number)} 位。")
    if not _MOBILE_RE.match(number):
        return FieldError(field, label, "format", f"{label}应以 13–19 开头，{number[:2]} 开头的号码不存在。")
    return number


def money_fen(text: str, *, field: str, label: str, allow_negative: bool = False) -> int | FieldError:
    """An amount typed in 元 (up to two decimals) -> integer fen."""
    t = (text or "").strip()
    if not t:
        return 0
    try:
        fen = parse_yuan(t)
    except ValueError:
        return FieldError(
            field, label, "format",
            f"{label}应为金额：以元为单位最多两位小数（如 1234.56、5000元），或以万元为单位（如 1.5万）。",
        )
    if fen < 0 and not allow_negative:
        return FieldError(field, label, "negative", f"{label}不能为负数。")
    if abs(fen) >= 10**15:
        return FieldError(field, label, "range", f"{label}超出合理范围。")
    return fen


def required_text(text: str, *, field: str, label: str, max_len: int = 50) -> str | FieldError:
    t = (text or "").strip()
    if not t:
        return FieldError(field, label, "required", f"{label}不能为空。")
    if len(t) > max_len:
        return FieldError(field, label, "length", f"{label}最多 {max_len} 个字，现在是 {len(t)} 个。")
    return t


def optional_text(text: str, *, field: str, label: str, max_len: int = 200) -> str | FieldError | None:
    t = (text or "").strip()
    if not t:
        return None
    if len(t) > max_len:
        return FieldError(field, label, "length", f"{label}最多 {max_len} 个字，现在是 {len(t)} 个。")
    return t


_DATE_RES = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(text: str, *, field: str, label: str) -> date | FieldError | None:
    """'2026-03-05', '2026/3/5', '2026年3月5日', '20260305' -> date; '' -> None."""
    t = (text or "").strip()
    if not t:
        return None
    for rx in _DATE_RES:
        m = rx.match(t)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return FieldError(field, label, "date", f"{label} {t} 不是真实日期。")
    return FieldError(field, label, "format", f"{label}应写成 2026-03-05 这样的日期。")


_TRUE = {"是", "有", "y", "yes", "true", "1", "已签约", "同意", "√"}
_FALSE = {"否", "无", "n", "no", "false", "0", "未签约", "不同意", "×"}


def parse_bool(text: str, *, field: str, label: str, allow_none: bool = False) -> bool | FieldError | None:
    t = (text or "").strip().lower()
    if not t:
        if allow_none:
            return None
        return FieldError(field, label, "required", f"{label}请填“是”或“否”。")
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    return FieldError(field, label, "format", f"{label}请填“是”或“否”，不认识“{text}”。")
