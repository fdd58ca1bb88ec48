from __future__ import annotations

from datetime import date

from app.core.client import (
    Client,
    ClientKind,
    ConsentChannel,
    Lifecycle,
    Segment,
    Tier,
    lifecycle_change_warning,
    ownership_error,
    parse_field,
    tier_for_aum,
    validate_client,
)
from app.core.compliance import blocked, check_text
from app.core.errors import FieldError
from app.core.roles import Action, Role, Staff, can, check, visible_manager_filter
from app.services.compliance import default_word_list

TODAY = date(2026, 11, 22)
GOOD = Client(name="张伟", id_number="11010519491231002X", mobile="13812345678", village_id=1)


def test_a_good_client_validates() -> None:
    assert validate_client(GOOD, village_exists=lambda v: v == 1, today=TODAY) == []
    assert GOOD.gender == "女" and GOOD.birth_date == date(1949, 12, 31)


def test_record_rules() -> None:
    bad = Client(
        name="",
        kind=ClientKind.BUSINESS,
        segment=Segment.FARMER,
        aum_fen=-1,
        mb_active=True,
        consent=True,
        village_id=9,
    )
    fields = {e.field for e in validate_client(bad, village_exists=lambda v: False, today=TODAY)}
    assert fields >= {
        "name",
        "id_number",
        "village_id",
        "segment",
        "aum_fen",
        "mb_active",
        "consent_date",
        "consent_channel",
    }


def test_consent_needs_date_and_channel() -> None:
    ok = GOOD.__class__(
        **{
            **{f: getattr(GOOD, f) for f in GOOD.__slots__},
            "consent": True,
            "consent_date": date(2026, 1, 5),
            "consent_channel": ConsentChannel.COUNTER,
        }
    )
    assert validate_client(ok, today=TODAY) == []


def test_parse_fields_accept_labels_and_values() -> None:
    assert parse_field("segment", "农户") is Segment.FARMER
    assert parse_field("lifecycle", "churn_warning") is Lifecycle.CHURN_WARNING
    assert parse_field("consent", "否") is False
    assert parse_field("consent", "") is None
    assert parse_field("aum_fen", "12.30") == 1230
    err = parse_field("lifecycle", "很好")
    assert isinstance(err, FieldError) and "生命周期" in err.message and "成熟" in err.message


def test_head_office_fields_are_owned_once_a_client_has_a_core_number() -> None:
    banked = Client(client_no="CQ0000000001", name="李四", village_id=1)
    err = ownership_error(banked, "deposit_fen")
    assert err is not None and "总行" in err.message
    assert ownership_error(banked, "notes") is None
    assert ownership_error(banked, "name") is not None
    # a prospect (no core-banking number yet): the branch keeps its name, kind and ID number, but
    # balances and mobile-banking status are core banking's even then (head office applies the same rule)
    prospect = Client(name="李四")
    assert ownership_error(prospect, "name") is None and ownership_error(prospect, "id_number") is None
    err = ownership_error(prospect, "deposit_fen")
    assert err is not None and "存款余额" in err.message


def test_tiers() -> None:
    assert tier_for_aum(0) is Tier.BASIC
    assert tier_for_aum(1_000_00) is Tier.THOUSAND
    assert tier_for_aum(49_999_99) is Tier.TEN_THOUSAND
    assert tier_for_aum(500_000_00).label == "贵宾"


def test_lifecycle_warning() -> None:
    assert lifecycle_change_warning(Lifecycle.NEW, Lifecycle.HONEYMOON) is None
    assert "不常见" in (lifecycle_change_warning(Lifecycle.CHURNED, Lifecycle.NEW) or "")


def test_roles() -> None:
    mgr = Staff(7, "M0007", "王芳", Role.MANAGER)
    head = Staff(1, "A0001", "刘强", Role.BRANCH_HEAD)
    it = Staff(2, "IT001", "赵敏", Role.ADMIN)
    assert can(mgr, Action.EDIT_CLIENT, client_manager_id=7)
    denied = check(mgr, Action.VIEW_CLIENT, client_manager_id=8)
    assert denied is not None and denied.code == "permission" and "自己" in denied.message
    assert not can(mgr, Action.DELETE_CLIENT, client_manager_id=7)
    assert can(head, Action.PRINT_UNMASKED) and not can(mgr, Action.PRINT_UNMASKED)
    assert not can(it, Action.VIEW_CLIENT, client_manager_id=None)
    assert visible_manager_filter(mgr) == 7 and visible_manager_filter(head) is None
    assert not can(Staff(3, "M9", "停用", Role.MANAGER, active=False), Action.ADD_CLIENT)


def test_compliance_words() -> None:
    words = default_word_list()
    assert "保本" in words.block and "安全" in words.warn
    found = check_text("本产品保本保息，安全可靠，第一选择", words)
    assert [(f.word, f.level) for f in found] == [("保本保息", "block"), ("安全", "warn"), ("第一", "warn")]
    assert blocked(found)
    assert blocked(check_text("稳健理财", words, wealth=True))
    assert not blocked(check_text("稳健理财。理财非存款，产品有风险，投资须谨慎", words, wealth=True))
