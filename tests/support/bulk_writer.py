"""Subprocess for the SIGKILL test: writes clients through the repository in batches.

Usage: python -m tests.support.bulk_writer DATA_DIR TOTAL BATCH
Prints "committed <n>" after each batch's COMMIT returns, flushing at once,
so the parent knows which rows the database has promised to keep.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.core.client import Client, ClientKind, Lifecycle, Segment
from app.store.clients import ClientRepository
from app.store.db import write
from app.store.store import Store


def main() -> None:
    data_dir, total, batch = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    store = Store.open(data_dir)
    db = store.connect()
    repo = ClientRepository(db)
    village = next(iter(repo.ref.villages))
    manager = next(s.id for s in repo.ref.staff.values() if s.role == "manager")
    done = 0
    while done < total:
        with write(db):
            for i in range(done, min(done + batch, total)):
                repo.insert(
                    Client(
                        uid=f"kill-test-{i:06d}",
                        kind=ClientKind.INDIVIDUAL,
                        name=f"测试客户{i}",
                        mobile=f"139{i:08d}",
                        village_id=village,
                        segment=Segment.FARMER,
                        aum_fen=i * 100,
                        deposit_fen=i * 100,
                        lifecycle=Lifecycle.NEW,
                        manager_id=manager,
                        notes="批量写入测试" * 5,
                    ),
                    author="A0001",
                )
        done = min(done + batch, total)
        print(f"committed {done}", flush=True)
    print("finished", flush=True)


if __name__ == "__main__":
    main()
