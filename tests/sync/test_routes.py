"""Head office's routes: every one under /v1/branches/{branch} is scoped by the BranchDevice dependency,
so no handler can forget the check, and every /v1 route asks for the protocol version. Checked by
behaviour, over every path the OpenAPI description lists (a new route is covered without editing this)."""

from __future__ import annotations

import requests

from sync import protocol as p


def test_every_branch_route_is_scoped_and_versioned(hq_sqlite) -> None:
    store = hq_sqlite.store
    store.create_branch("A", "网点甲")
    store.create_branch("B", "网点乙")
    _device, code = store.new_enrolment("A")
    _dev, token = store.enrol(code, "pc")
    client = requests.Session()
    base = hq_sqlite.url
    paths = client.get(base + "/openapi.json", timeout=10).json()["paths"]
    branch_paths = {path: ops for path, ops in paths.items() if path.startswith("/v1/branches/{branch}/")}
    assert {p_.rsplit("/", 1)[-1] for p_ in branch_paths} == {"push", "pull", "fetch", "checkpoint", "bundle-keys"}
    auth = {"Authorization": f"Bearer {token}", p.PROTOCOL_HEADER: str(p.PROTOCOL_VERSION)}
    calls = 0
    for path, ops in branch_paths.items():
        for method in ops:
            other = client.request(method.upper(), base + path.replace("{branch}", "B"), headers=auth, json={},
                                   timeout=10)
            assert other.status_code == 403, (method, path, other.status_code)
            old = client.request(method.upper(), base + path.replace("{branch}", "A"),
                                 headers={**auth, p.PROTOCOL_HEADER: "1"}, json={}, timeout=10)
            assert old.status_code == 426, (method, path, old.status_code)
            calls += 1
    assert len(store.list_denials()) == calls == 5
    assert all(d["device_branch"] == "A" for d in store.list_denials())
