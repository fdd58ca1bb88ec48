"""Staff, roles and what each role may do. Checked below the UI: CLI and GUI alike."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

from app.core.errors import FieldError


class Role(StrEnum):
    MANAGER = "manager"
    BRANCH_HEAD = "branch_head"
    COUNTY = "county"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"manager": "客户经理", "branch_head": "网点负责人", "county": "县支行管理", "admin": "管理员"}[
            self.value
        ]


@dataclass(frozen=True, slots=True)
class Staff:
    id: int
    code: str
    name: str
    role: Role
    active: bool = True


class Action(Enum):
    VIEW_CLIENT = "查看客户"
    EDIT_CLIENT = "修改客户"
    ADD_CLIENT = "新建客户"
    DELETE_CLIENT = "删除客户"
    MERGE_CLIENTS = "合并重复客户"
    ASSIGN_MANAGER = "分配管户客户经理"
    REVEAL_PII = "查看完整证件号和手机号"
    EXPORT_CLIENTS = "导出客户"
    EXPORT_UNMASKED = "导出未脱敏数据"
    PRINT_UNMASKED = "打印未脱敏工作单"
    VIEW_REPORTS = "查看报表"
    RUN_SYNC = "同步"
    REVIEW_CONFLICTS = "处理同步冲突"
    BACKUP_RESTORE = "备份与恢复"
    MANAGE_STAFF = "管理员工"
    OVERRIDE_CREDIT_CODE = "确认试点期信用代码"
    WORK_WHITELIST = "登记白名单营销结果"
    ASSIGN_WHITELIST = "分配白名单"
    NOMINATE = "推荐白名单客户"
    VIEW_WHITELIST = "查看白名单"
    RUN_LIFECYCLE = "运行生命周期规则"
    MANAGE_CAMPAIGNS = "新建和修改本网点营销活动"
    EDIT_SCENARIO = "登记和维护智慧乡村场景"


A = Action
# Actions on a client that a manager may take only for their own clients.
_OWN_ONLY = {A.VIEW_CLIENT, A.EDIT_CLIENT, A.REVEAL_PII}

_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.MANAGER: frozenset(
        {A.VIEW_CLIENT, A.EDIT_CLIENT, A.ADD_CLIENT, A.REVEAL_PII, A.EXPORT_CLIENTS, A.VIEW_REPORTS,
         A.VIEW_WHITELIST, A.WORK_WHITELIST, A.NOMINATE, A.EDIT_SCENARIO}
    ),
    Role.BRANCH_HEAD: frozenset(
        {
            A.VIEW_CLIENT,
            A.EDIT_CLIENT,
            A.ADD_CLIENT,
            A.DELETE_CLIENT,
            A.MERGE_CLIENTS,
            A.ASSIGN_MANAGER,
            A.REVEAL_PII,
            A.EXPORT_CLIENTS,
            A.EXPORT_UNMASKED,
            A.PRINT_UNMASKED,
            A.VIEW_REPORTS,
            A.RUN_SYNC,
            A.REVIEW_CONFLICTS,
            A.BACKUP_RESTORE,
            A.OVERRIDE_CREDIT_CODE,
            A.VIEW_WHITELIST,
            A.WORK_WHITELIST,
            A.ASSIGN_WHITELIST,
            A.NOMINATE,
            A.RUN_LIFECYCLE,
            A.MANAGE_CAMPAIGNS,
            A.EDIT_SCENARIO,
        }
    ),
    Role.COUNTY: frozenset(
        {A.VIEW_CLIENT, A.EXPORT_CLIENTS, A.VIEW_REPORTS, A.RUN_SYNC, A.REVIEW_CONFLICTS, A.BACKUP_RESTORE,
         A.VIEW_WHITELIST}
    ),
    Role.ADMIN: frozenset({A.RUN_SYNC, A.BACKUP_RESTORE, A.MANAGE_STAFF}),
}


def check(staff: Staff, action: Action, *, client_manager_id: int | None = None) -> FieldError | None:
    """None when ``staff`` may take ``action``; otherwise the Chinese reason.

    ``client_manager_id``: the manager of the client acted on, for the
    客户经理's own-clients rule.
    """
    role = Role(staff.role)
    if not staff.active:
        return FieldError("permission", "权限", "permission", f"员工 {staff.code} 已停用。")
    if action not in _ALLOWED[role]:
        return FieldError("permission", "权限", "permission", f"{role.label}无权{action.value}。")
    if role == Role.MANAGER and action in _OWN_ONLY and client_manager_id != staff.id:
        return FieldError("permission", "权限", "permission", "客户经理只能查看和处理自己管户的客户。")
    return None


def can(staff: Staff, action: Action, *, client_manager_id: int | None = None) -> bool:
    return check(staff, action, client_manager_id=client_manager_id) is None


def visible_manager_filter(staff: Staff) -> int | None:
    """The manager id a client list is restricted to (a 客户经理 sees their own), else None."""
    return staff.id if Role(staff.role) == Role.MANAGER else None


def can_see_clients(staff: Staff) -> bool:
    return Action.VIEW_CLIENT in _ALLOWED[Role(staff.role)]
