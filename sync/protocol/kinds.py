"""Every record kind the branch and head office exchange, declared once.

Add a column: one ``Column(...)`` line here (at the end of its kind: the wire
order is append-only, ``tests/sync/test_kinds.py`` holds the released order),
and at the branch a migration ``AddColumns(kind, (name,))`` in
``app.store.schema``. Add a kind: a ``Kind(...)`` here, in ``KINDS`` after
the kinds it refers to, and ``CreateKindTable(kind)`` in the branch's
migrations. Nothing else spells a column by hand: the local table, row
mapping, bulk writer, sync apply, head office's validation, publish check and
OpenAPI schema all come from these declarations.

Owners (architecture.md, "Sync principles"): head office owns master data and
a client's core-banking fields; the branch owns its field work and a client's
relationship fields; both may edit a client's phone, address and village
(order of receipt at head office; an overwritten value is kept as a conflict).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.protocol.schema import Choice, Column, Creator, Kind, Owner, Problem, Registry, T

HQ, BRANCH, SHARED = Owner.HQ, Owner.BRANCH, Owner.SHARED


def _choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(v, label) for v, label in pairs)


ROLES = _choices(("manager", "客户经理"), ("branch_head", "网点负责人"), ("county", "县支行管理"), ("admin", "管理员"))
CLIENT_KINDS = _choices(("individual", "个人"), ("business", "企业"))
SEGMENTS = _choices(
    ("farmer", "农户"),
    ("sole_trader", "个体工商户"),
    ("payroll", "代发工资"),
    ("retiree", "退休"),
    ("student", "学生"),
    ("micro_business", "小微企业"),
    ("cooperative", "合作社"),
)
LIFECYCLES = _choices(
    ("new", "新客首面"),
    ("honeymoon", "蜜月期"),
    ("mature", "成熟"),
    ("churn_warning", "流失预警"),
    ("churned", "流失"),
    ("recovered", "挽回"),
)
CONSENT_CHANNELS = _choices(
    ("counter", "柜面"), ("mobile_app", "手机银行"), ("phone", "电话"), ("paper", "纸质授权书"), ("visit", "上门")
)
CONTACT_CHANNELS = _choices(
    ("phone", "电话"),
    ("visit", "上门"),
    ("invite", "邀约到店"),
    ("hall", "厅堂"),
    ("wechat", "微信"),
    ("referral", "转介"),
    ("sms", "短信"),
    ("other", "其他"),
)
OUTCOME_STATUSES = _choices(
    ("not_contacted", "未联系"),
    ("contacted", "已联系"),
    ("interested", "有意向"),
    ("applied", "已申请"),
    ("drawn", "已用信"),
    ("unreachable", "无法联系"),
    ("refused", "拒绝"),
)
SCENARIO_STATUSES = _choices(
    ("survey", "调研"),
    ("negotiating", "洽谈"),
    ("signed", "签约"),
    ("live", "上线"),
    ("operating", "运营"),
    ("stopped", "停用"),
)
FIGURE_SOURCES = _choices(("branch", "网点录入"), ("hq", "总行发布"))
DECISIONS = _choices(("pending", "待评估"), ("accepted", "已通过"), ("declined", "未通过"))

MOBILE = r"1[3-9]\d{9}"
ID_NUMBER = r"[0-9A-Z]{18}"
PERIOD = r"\d{4}-(0[1-9]|1[0-2])"


# --- reference data -----------------------------------------------------------------------

TOWNSHIP = Kind(
    "township", "乡镇", creator=Creator.HQ, table="townships", uid="code",
    columns=(
        Column("code", T.CODE, "乡镇代码", required=True, max_len=32),
        Column("name", T.TEXT, "乡镇名称", required=True, max_len=40),
    ),
)
VILLAGE = Kind(
    "village", "村/社区", creator=Creator.HQ, table="villages", uid="code",
    columns=(
        Column("code", T.CODE, "村代码", required=True, max_len=32),
        Column("township", T.REF, "所属乡镇", ref="township", required=True, local="township_id", local_ref=True),
        Column("name", T.TEXT, "村名", required=True, max_len=40),
        Column("groups", T.INT, "村民小组数", null=False, lo=0, hi=999),
    ),
)
STAFF = Kind(
    "staff", "员工", creator=Creator.HQ, table="staff", uid="code",
    columns=(
        Column("code", T.CODE, "工号", required=True, max_len=32),
        Column("name", T.TEXT, "姓名", required=True, max_len=20),
        Column("role", T.ENUM, "岗位", required=True, choices=ROLES),
        Column("active", T.BOOL, "在岗", null=False, default=True),
    ),
)
SOURCES = _choices(("hq", "总行"), ("branch", "网点"))
TAG = Kind(
    "tag", "标签", creator=Creator.BOTH, table="tags", uid="code",
    columns=(
        Column("code", T.CODE, "标签代码", required=True, max_len=32),
        Column("name", T.TEXT, "标签名称", required=True, max_len=20),
        # a branch creates and changes only its own tags (source = branch); head office's are read-only
        Column("source", T.ENUM, "来源", required=True, choices=SOURCES, branch_value="branch"),
        Column("category", T.TEXT, "类别", null=False, max_len=20),
    ),
)

# --- the client book ----------------------------------------------------------------------------

CLIENT = Kind(
    "client", "客户", creator=Creator.BOTH, table="clients", provisional_key="client_no",
    columns=(
        Column("client_no", T.CODE, "核心客户号", max_len=32),
        Column("kind", T.ENUM, "客户类型", required=True, choices=CLIENT_KINDS, provisional=True),
        Column("name", T.TEXT, "客户名称", required=True, max_len=50, provisional=True),
        Column("id_number", T.TEXT, "证件号码", max_len=18, pattern=ID_NUMBER,
               pattern_hint="18 位数字或大写字母", provisional=True, mask="id"),
        Column("mobile", T.TEXT, "手机号", owner=SHARED, max_len=11, pattern=MOBILE, pattern_hint="11 位手机号码",
               mask="mobile"),
        Column("village", T.REF, "所属村", ref="village", owner=SHARED, required=True, local="village_id",
               local_ref=True),
        Column("group_name", T.TEXT, "村民小组", owner=BRANCH, max_len=20),
        Column("address", T.TEXT, "地址", owner=SHARED, max_len=100),
        Column("segment", T.ENUM, "客群", owner=BRANCH, required=True, choices=SEGMENTS),
        Column("aum_fen", T.MONEY, "资产（AUM）", null=False),
        Column("deposit_fen", T.MONEY, "存款余额", null=False),
        Column("loan_fen", T.MONEY, "贷款余额", null=False),
        Column("mb_signed", T.BOOL, "手机银行签约", null=False),
        Column("mb_active", T.BOOL, "手机银行月活", null=False),
        Column("lifecycle", T.ENUM, "生命周期", owner=BRANCH, required=True, choices=LIFECYCLES),
        Column("potential", T.BOOL, "潜力客户", owner=BRANCH, null=False),
        Column("manager", T.REF, "管户客户经理", ref="staff", owner=BRANCH, local="manager_id", local_ref=True),
        Column("consent", T.BOOL, "营销授权", owner=BRANCH),
        Column("consent_date", T.DATE, "授权日期", owner=BRANCH),
        Column("consent_channel", T.ENUM, "授权渠道", owner=BRANCH, choices=CONSENT_CHANNELS),
        Column("notes", T.TEXT, "备注", owner=BRANCH, null=False, max_len=500, multiline=True),
        Column("last_contact", T.DATE, "最近联系日期", owner=BRANCH),
        Column("id_override", T.BOOL, "确认试点期信用代码", owner=BRANCH, null=False),
        Column("hq_tags", T.LIST, "总行标签", null=False, max_len=100, item=T.CODE, item_len=32, link=True),
        Column("branch_tags", T.LIST, "网点标签", owner=BRANCH, null=False, max_len=100, item=T.CODE, item_len=32,
               link=True),
    ),
)

# --- master data -----------------------------------------------------------------------------------

SCENARIO_TYPE = Kind(
    "scenario_type", "场景类型", creator=Creator.HQ, table="scenario_types", uid="code",
    columns=(
        Column("code", T.CODE, "场景类型代码", required=True, max_len=32),
        Column("name", T.TEXT, "场景类型名称", required=True, max_len=30),
        Column("metrics", T.LIST, "跟踪指标", null=False, max_len=30, item=T.CODE, item_len=32),
    ),
)
COMPLIANCE_WORDS = Kind(
    "compliance_words", "合规词表", creator=Creator.HQ, table="compliance_words",
    columns=(
        Column("version", T.CODE, "词表版本", required=True, max_len=32, local="list_version"),
        Column("block", T.LIST, "禁用词", null=False, max_len=2000, item=T.TEXT, item_len=20),
        Column("warn", T.LIST, "慎用词", null=False, max_len=2000, item=T.TEXT, item_len=20),
        Column("risk_line", T.TEXT, "风险提示语", null=False, max_len=100),
        Column("allowed", T.LIST, "允许的组合词", null=False, max_len=2000, item=T.TEXT, item_len=20),
    ),
)
def _scorecard_problems(values: Mapping[str, Any]) -> list[Problem]:
    """A published scorecard must be one the branch can evaluate."""
    from sync.protocol.scorecard import ScorecardError, parse

    try:
        parse(values)
    except ScorecardError as exc:
        return [Problem("factors", "scorecard", f"评分卡无法使用：{exc}")]
    return []


SCORECARD = Kind(
    "scorecard", "评分卡", creator=Creator.HQ, table="scorecards", check=_scorecard_problems,
    columns=(
        Column("cluster", T.CODE, "产业集群", required=True, max_len=32),
        Column("name", T.TEXT, "评分卡名称", required=True, max_len=40),
        Column("version", T.CODE, "版本", required=True, max_len=32, local="card_version"),
        Column("product", T.CODE, "产品", max_len=32),
        Column("factors", T.JSON, "评分因子", null=False, max_len=20_000),
        Column("bands", T.JSON, "额度档位", null=False, max_len=20_000),
        Column("valid_from", T.DATE, "生效日期"),
    ),
)
WHITELIST = Kind(
    "whitelist", "白名单", creator=Creator.HQ, table="whitelist",
    columns=(
        Column("client_uid", T.REF, "客户", ref="client", required=True),
        Column("client_no", T.CODE, "核心客户号", max_len=32),
        Column("product", T.CODE, "产品", required=True, max_len=32),
        Column("limit_fen", T.MONEY, "核定额度", null=False),
        Column("rate_bp", T.INT, "利率（基点）", lo=0, hi=10_000),
        Column("valid_from", T.DATE, "有效期起"),
        Column("valid_to", T.DATE, "有效期止"),
        Column("batch", T.CODE, "批次", max_len=32),
        Column("cluster", T.CODE, "产业集群", max_len=32),
        Column("score", T.INT, "模型评分", lo=0, hi=1000),
        Column("band", T.CODE, "评分档位", max_len=16),
        Column("manager", T.REF, "负责客户经理", ref="staff", owner=BRANCH),
    ),
)
# Head office's campaigns (source hq) are read-only at the branch; a branch head may create local
# campaigns (source branch, code prefixed with the branch code), wholly the branch's own.
CAMPAIGN = Kind(
    "campaign", "营销活动", creator=Creator.BOTH, table="campaigns", uid="code",
    columns=(
        Column("code", T.CODE, "活动代码", required=True, max_len=32),
        Column("name", T.TEXT, "活动主题", required=True, max_len=60),
        Column("product", T.CODE, "产品", max_len=32),
        Column("starts", T.DATE, "开始日期"),
        Column("ends", T.DATE, "结束日期"),
        Column("script", T.TEXT, "话术", null=False, max_len=4000, multiline=True),
        Column("benefits", T.TEXT, "权益", null=False, max_len=1000, multiline=True),
        Column("goal", T.INT, "目标户数", lo=0, hi=10_000_000),
        Column("source", T.ENUM, "来源", null=False, default="hq", choices=SOURCES, branch_value="branch"),
    ),
)
# A branch adds targets only to its own campaigns (own_ref); the manager of every target is the branch's.
CAMPAIGN_TARGET = Kind(
    "campaign_target", "活动目标客户", creator=Creator.BOTH, table="campaign_targets",
    columns=(
        Column("campaign", T.REF, "营销活动", ref="campaign", required=True, own_ref=True),
        Column("client_uid", T.REF, "客户", ref="client", required=True),
        Column("manager", T.REF, "负责客户经理", ref="staff", owner=BRANCH),
        Column("note", T.TEXT, "筛选说明", null=False, max_len=200),
        Column("source", T.ENUM, "来源", null=False, default="hq", choices=SOURCES, branch_value="branch"),
    ),
)

# --- field work (written at the branch) ----------------------------------------------------------------

CONTACT = Kind(
    "contact", "客户触达", creator=Creator.BRANCH, table="contacts",
    columns=(
        Column("client_uid", T.REF, "客户", ref="client", owner=BRANCH, required=True),
        Column("staff", T.REF, "客户经理", ref="staff", owner=BRANCH, required=True),
        Column("date", T.DATE, "触达日期", owner=BRANCH, required=True),
        Column("channel", T.ENUM, "触达方式", owner=BRANCH, required=True, choices=CONTACT_CHANNELS),
        Column("outcome", T.TEXT, "结果", owner=BRANCH, null=False, max_len=40),
        Column("note", T.TEXT, "备注", owner=BRANCH, null=False, max_len=500, multiline=True),
        Column("campaign", T.REF, "营销活动", ref="campaign", owner=BRANCH),
        Column("whitelist_uid", T.REF, "白名单", ref="whitelist", owner=BRANCH),
        Column("next_date", T.DATE, "下次跟进日期", owner=BRANCH),
    ),
)
FOLLOWUP = Kind(
    "followup", "跟进", creator=Creator.BRANCH, table="followups",
    columns=(
        Column("client_uid", T.REF, "客户", ref="client", owner=BRANCH, required=True),
        Column("campaign", T.REF, "营销活动", ref="campaign", owner=BRANCH),
        Column("due", T.DATE, "计划日期", owner=BRANCH, required=True),
        Column("done", T.BOOL, "已完成", owner=BRANCH, null=False),
        Column("result", T.TEXT, "跟进结果", owner=BRANCH, null=False, max_len=200),
        Column("note", T.TEXT, "备注", owner=BRANCH, null=False, max_len=500, multiline=True),
        Column("staff", T.REF, "客户经理", ref="staff", owner=BRANCH, required=True),
        Column("snoozed_until", T.DATE, "推迟到", owner=BRANCH),
        Column("snooze_reason", T.TEXT, "推迟原因", owner=BRANCH, null=False, max_len=100),
    ),
)
SCENARIO = Kind(
    "scenario", "智慧乡村场景", creator=Creator.BRANCH, table="scenarios",
    columns=(
        Column("scenario_type", T.REF, "场景类型", ref="scenario_type", owner=BRANCH, required=True),
        Column("name", T.TEXT, "场景名称", owner=BRANCH, required=True, max_len=60),
        Column("village", T.REF, "村/社区", ref="village", owner=BRANCH),
        Column("partner", T.TEXT, "合作方", owner=BRANCH, null=False, max_len=60),
        Column("partner_contact", T.TEXT, "合作方联系人", owner=BRANCH, null=False, max_len=40),
        Column("owner", T.REF, "负责人", ref="staff", owner=BRANCH),
        Column("status", T.ENUM, "进度", owner=BRANCH, required=True, choices=SCENARIO_STATUSES),
        Column("status_dates", T.JSON, "各阶段日期", owner=BRANCH, null=False, max_len=2000),
        Column("note", T.TEXT, "备注", owner=BRANCH, null=False, max_len=1000, multiline=True),
        # files attached at the branch: {sha256: {"name", "size", "added"}}; the files stay on the PC
        Column("attachments", T.JSON, "附件", owner=BRANCH, null=False, max_len=8000),
        # a scenario of a whole township (三资管理, 党费…) names its township and no village
        Column("township", T.REF, "乡镇", ref="township", owner=BRANCH),
    ),
)
SCENARIO_METRIC = Kind(
    "scenario_metric", "场景指标", creator=Creator.BRANCH, table="scenario_metrics",
    columns=(
        Column("scenario", T.REF, "场景", ref="scenario", owner=BRANCH, required=True),
        Column("period", T.TEXT, "期间", owner=BRANCH, required=True, max_len=7, pattern=PERIOD,
               pattern_hint="YYYY-MM"),
        Column("metric", T.CODE, "指标", owner=BRANCH, required=True, max_len=32),
        Column("value", T.INT, "数值", owner=BRANCH, null=False, lo=-(10**15), hi=10**15),
        Column("source", T.ENUM, "来源", owner=BRANCH, required=True, choices=FIGURE_SOURCES),
    ),
)
# A client won through a scenario (场景获客): the scenario's client count is counted from these.
SCENARIO_CLIENT = Kind(
    "scenario_client", "场景获客", creator=Creator.BRANCH, table="scenario_clients",
    columns=(
        Column("scenario", T.REF, "场景", ref="scenario", owner=BRANCH, required=True),
        Column("client_uid", T.REF, "客户", ref="client", owner=BRANCH, required=True),
        Column("date", T.DATE, "登记日期", owner=BRANCH, required=True),
    ),
)
WHITELIST_OUTCOME = Kind(
    "whitelist_outcome", "白名单营销结果", creator=Creator.BRANCH, table="whitelist_outcomes",
    columns=(
        Column("whitelist_uid", T.REF, "白名单", ref="whitelist", owner=BRANCH, required=True),
        Column("status", T.ENUM, "营销状态", owner=BRANCH, required=True, choices=OUTCOME_STATUSES),
        Column("amount_fen", T.MONEY, "用信金额", owner=BRANCH, null=False),
        Column("date", T.DATE, "日期", owner=BRANCH, required=True),
        Column("reason", T.TEXT, "原因", owner=BRANCH, null=False, max_len=200),
        Column("note", T.TEXT, "备注", owner=BRANCH, null=False, max_len=500, multiline=True),
        Column("staff", T.REF, "客户经理", ref="staff", owner=BRANCH, required=True),
    ),
)
NOMINATION = Kind(
    "nomination", "白名单推荐", creator=Creator.BRANCH, table="nominations",
    columns=(
        Column("client_uid", T.REF, "客户", ref="client", owner=BRANCH),
        Column("name", T.TEXT, "姓名/名称", owner=BRANCH, required=True, max_len=50),
        Column("id_number", T.TEXT, "证件号码", owner=BRANCH, max_len=18, pattern=ID_NUMBER,
               pattern_hint="18 位数字或大写字母", mask="id"),
        Column("cluster", T.CODE, "产业集群", owner=BRANCH, max_len=32),
        Column("product", T.CODE, "产品", owner=BRANCH, max_len=32),
        Column("amount_fen", T.MONEY, "建议额度", owner=BRANCH, null=False),
        Column("inputs", T.JSON, "评分卡输入", owner=BRANCH, null=False, max_len=10_000),
        Column("reason", T.TEXT, "推荐理由", owner=BRANCH, null=False, max_len=500, multiline=True),
        Column("staff", T.REF, "客户经理", ref="staff", owner=BRANCH, required=True),
        Column("decision", T.ENUM, "总行结论", choices=DECISIONS),
        Column("decided_limit_fen", T.MONEY, "核定额度", null=False),
        Column("decision_reason", T.TEXT, "总行意见", null=False, max_len=200),
    ),
)

# Apply order: what others refer to comes first.
KINDS = Registry((
    TOWNSHIP, VILLAGE, STAFF, TAG, SCENARIO_TYPE, COMPLIANCE_WORDS, SCORECARD,
    CLIENT, WHITELIST, CAMPAIGN, CAMPAIGN_TARGET,
    CONTACT, FOLLOWUP, SCENARIO, SCENARIO_METRIC, SCENARIO_CLIENT, WHITELIST_OUTCOME, NOMINATION,
))
