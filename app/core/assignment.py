"""Giving work out to managers (任务分发): whitelist entries, campaign targets.

One rule for every list: a balanced split in which, counting what each manager already
holds of that list, nobody ends up more than one item above anybody else (where what they
already hold allows it), existing relationships are kept within that share, and the rest
goes village by village so one person covers a village unless the shares require a split.
Pure Python: the services read the candidates and write the plan.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    uid: str
    village: int | None  # local village id
    relationship: str | None  # the client's own manager (staff code), if any


def quotas(n_items: int, managers: Sequence[str], current: Mapping[str, int]) -> tuple[dict[str, int], int]:
    """(the new items each manager takes at least, how many of them take one more).

    Totals end within one of each other: everyone is brought to the same floor, and the
    remainder is handed out one each, to whoever it keeps a village or a relationship whole
    for (``split`` decides). Someone already above the floor takes nothing; the others then
    share what there is, whoever would hold most giving way first."""
    total = n_items + sum(current.get(m, 0) for m in managers)
    base = total // len(managers)
    want = {m: max(0, base - current.get(m, 0)) for m in managers}
    surplus = sum(want.values()) - n_items
    while surplus > 0:
        m = max((m for m in managers if want[m] > 0), key=lambda m: (current.get(m, 0) + want[m], m))
        want[m] -= 1
        surplus -= 1
    return want, max(0, -surplus)


def split(items: Sequence[Candidate], managers: Sequence[str], current: Mapping[str, int] | None = None
          ) -> dict[str, str]:
    """uid -> manager: relationships kept within each manager's share, then village by village."""
    if not managers:
        return {}
    current = dict(current or {})
    allowed = set(managers)
    left, spare = quotas(len(items), managers, current)
    took_spare: set[str] = set()

    def room(m: str) -> int:
        return left[m] + (1 if spare - len(took_spare) > 0 and m not in took_spare else 0)

    def give(m: str, n: int) -> None:
        use = min(n, left[m])
        left[m] -= use
        if n > use:
            took_spare.add(m)

    plan: dict[str, str] = {}
    works: dict[int | None, Counter[str]] = {}
    pool: dict[int | None, list[str]] = {}
    for c in items:
        m = c.relationship
        if m in allowed and room(m) > 0:  # type: ignore[arg-type]
            plan[c.uid] = m  # type: ignore[assignment]
            give(m, 1)  # type: ignore[arg-type]
            works.setdefault(c.village, Counter())[m] += 1  # type: ignore[index]
        else:
            pool.setdefault(c.village, []).append(c.uid)
    for village, uids in sorted(pool.items(), key=lambda kv: (-len(kv[1]), kv[0] is None, kv[0] or 0)):
        known = works.setdefault(village, Counter())
        todo = list(uids)
        while todo:
            open_ = [m for m in managers if room(m) > 0]
            # who already works this village; else whoever it fits best (the least room that holds
            # it all, so big rooms stay for big villages); else the most room (the village splits)
            fits = [m for m in open_ if room(m) >= len(todo)]
            if any(known[m] for m in open_):
                who = min(open_, key=lambda m: (-known[m], -room(m), m))
            elif fits:
                who = min(fits, key=lambda m: (room(m), m))
            else:
                who = min(open_, key=lambda m: (-room(m), m))
            n = room(who)
            take, todo = todo[:n], todo[n:]
            for uid in take:
                plan[uid] = who
            give(who, len(take))
            known[who] += len(take)
    return plan


def counts(plan: Mapping[str, str], managers: Iterable[str], current: Mapping[str, int] | None = None
           ) -> dict[str, int]:
    """Items per manager after a plan (what they held plus what the plan gives them)."""
    given = Counter(plan.values())
    return {m: (current or {}).get(m, 0) + given.get(m, 0) for m in managers}
