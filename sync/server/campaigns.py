"""Head office's view of the branches' campaign work: reach and conversion per campaign."""

from __future__ import annotations

from typing import Any

CONVERTED = ("已办理", "已开通", "已激活", "已签约", "成功")


def campaign_results(store: Any, branch: str) -> list[dict[str, Any]]:
    """Per campaign at ``branch``: targets with marketing consent (the others are counted apart, as
    the branch leaves them out), reached (a contact for the campaign with the client), converted
    (such a contact's outcome says it was done), as head office holds them."""
    contacts: dict[tuple[str, str], bool] = {}
    for _u, _s, deleted, v in store.records(branch, "contact"):
        if deleted or not v.get("campaign"):
            continue
        key = (v["campaign"], v["client_uid"])
        done = any(w in (v.get("outcome") or "") for w in CONVERTED)
        contacts[key] = contacts.get(key, False) or done
    consented = {u for u, _s, d, v in store.records(branch, "client") if not d and v.get("consent") is True}
    rows: dict[str, dict[str, Any]] = {}
    for uid, _s, deleted, v in store.records(branch, "campaign"):
        if not deleted:
            rows[uid] = {"campaign": uid, "name": v.get("name"), "targets": 0, "excluded": 0, "assigned": 0,
                         "reached": 0, "converted": 0}
    for _u, _s, deleted, v in store.records(branch, "campaign_target"):
        r = rows.get(v.get("campaign"))
        if deleted or r is None:
            continue
        if v["client_uid"] not in consented:  # the branch never works these (no marketing consent)
            r["excluded"] += 1
            continue
        r["targets"] += 1
        r["assigned"] += v.get("manager") is not None
        key = (v["campaign"], v["client_uid"])
        r["reached"] += key in contacts
        r["converted"] += contacts.get(key, False)
    return [rows[k] for k in sorted(rows)]
