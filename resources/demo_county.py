"""A deterministic, believable demo county (modelled on 城口县, Chongqing, 500229).

Townships, villages, staff, tags and clients with valid resident IDs (GB 11643,
with the region code that was right in the birth year: 城口县 was 512229, then
511228 under 四川 until 1997), valid credit codes for businesses (GB 32100), mainland mobile
numbers, realistic names, segments, tags and balances in integer fen following
plausible distributions. The same (seed, n_clients) always gives the same county.
Pure Python, no Qt, no SQL; a million clients generate in well under a minute.
"""

from __future__ import annotations

import math
import random
import uuid
from bisect import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

COUNTY_CODE = "500229"
COUNTY_NAME = "城口县"
OLD_COUNTY_CODE = "512229"  # 四川 万县地区, until 1992
MID_COUNTY_CODE = "511228"  # 四川 万县市, 1992-1997 (then Chongqing: 500229)
TODAY = date(2026, 11, 1)


@dataclass(frozen=True)
class Township:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Village:
    id: int
    township_id: int
    code: str
    name: str
    groups: int


@dataclass(frozen=True)
class StaffMember:
    id: int
    code: str
    name: str
    role: str


@dataclass(frozen=True)
class Tag:
    id: int
    code: str
    name: str
    source: str
    category: str


@dataclass(frozen=True)
class DemoCounty:
    seed: int
    n_clients: int
    county_code: str
    county_name: str
    branch_code: str
    branch_name: str
    townships: tuple[Township, ...]
    villages: tuple[Village, ...]
    staff: tuple[StaffMember, ...]
    tags: tuple[Tag, ...]


TOWNSHIPS = (
    "葛城街道",
    "复兴街道",
    "巴山镇",
    "坪坝镇",
    "庙坝镇",
    "明通镇",
    "修齐镇",
    "高观镇",
    "东安镇",
    "咸宜镇",
    "高燕镇",
    "北屏乡",
    "龙田乡",
    "左岚乡",
    "沿河乡",
    "双河乡",
    "蓼子乡",
    "鸡鸣乡",
    "周溪乡",
    "明中乡",
    "治平乡",
    "岚天乡",
    "厚坪乡",
    "河鱼乡",
    "东安乡",
)
VILLAGE_PARTS_A = (
    "东",
    "西",
    "南",
    "北",
    "双",
    "三",
    "五",
    "九",
    "黄",
    "白",
    "青",
    "红",
    "龙",
    "凤",
    "金",
    "银",
    "石",
    "柏",
    "松",
    "竹",
    "桃",
    "李",
    "杨",
    "柳",
    "新",
    "长",
    "高",
    "平",
    "回",
    "清",
    "太",
    "兴",
    "联",
    "团",
    "和",
)
VILLAGE_PARTS_B = (
    "河",
    "溪",
    "坪",
    "坝",
    "岭",
    "山",
    "湾",
    "塘",
    "林",
    "桥",
    "岩",
    "沟",
    "垭",
    "田",
    "峰",
    "园",
    "安",
    "丰",
    "华",
    "荣",
    "合",
    "星",
    "泉",
    "台",
)
SURNAMES = (
    ("王", 72),
    ("李", 72),
    ("张", 70),
    ("刘", 55),
    ("陈", 50),
    ("杨", 35),
    ("黄", 25),
    ("赵", 22),
    ("吴", 21),
    ("周", 21),
    ("徐", 16),
    ("孙", 15),
    ("马", 14),
    ("朱", 13),
    ("胡", 13),
    ("郭", 12),
    ("何", 12),
    ("高", 11),
    ("林", 11),
    ("罗", 11),
    ("郑", 10),
    ("梁", 9),
    ("谢", 8),
    ("宋", 8),
    ("唐", 8),
    ("许", 7),
    ("韩", 7),
    ("冯", 7),
    ("邓", 7),
    ("曹", 6),
    ("彭", 9),
    ("曾", 6),
    ("肖", 6),
    ("田", 6),
    ("董", 5),
    ("袁", 5),
    ("潘", 5),
    ("于", 5),
    ("蒋", 5),
    ("蔡", 5),
    ("余", 5),
    ("杜", 5),
    ("叶", 5),
    ("程", 5),
    ("苏", 4),
    ("魏", 4),
    ("吕", 4),
    ("丁", 4),
    ("任", 4),
    ("沈", 4),
    ("姚", 4),
    ("卢", 4),
    ("姜", 4),
    ("崔", 3),
    ("钟", 3),
    ("谭", 10),
    ("陆", 3),
    ("汪", 3),
    ("范", 3),
    ("金", 3),
    ("石", 3),
    ("廖", 3),
    ("贾", 3),
    ("夏", 3),
    ("韦", 3),
    ("付", 3),
    ("方", 3),
    ("白", 3),
    ("邹", 3),
    ("孟", 3),
    ("熊", 3),
    ("秦", 3),
    ("邱", 3),
    ("江", 3),
    ("尹", 3),
    ("薛", 3),
    ("闫", 2),
    ("段", 2),
    ("雷", 2),
    ("侯", 2),
    ("龙", 2),
    ("史", 2),
    ("陶", 2),
    ("黎", 2),
    ("贺", 2),
    ("顾", 2),
    ("毛", 2),
    ("郝", 2),
    ("龚", 2),
    ("邵", 2),
    ("万", 2),
    ("钱", 2),
    ("严", 2),
    ("覃", 2),
    ("武", 2),
    ("戴", 2),
    ("莫", 2),
    ("孔", 2),
    ("向", 12),
    ("冉", 8),
    ("税", 1),
    ("蒲", 2),
)
GIVEN_MALE = "伟强磊军勇杰涛斌明超刚平辉鹏华飞波建国林峰浩宇文亮志兵成东海俊德清云龙福贵财富安全兴旺春生"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英玲桂兰红梅琴燕慧萍翠凤莲淑珍玉婷雪琳洁霞春花秋菊月娥"
BUSINESS_KINDS = (
    ("cooperative", "93", "{t}{v}{x}种植专业合作社"),
    ("cooperative", "93", "{t}{v}{x}养殖专业合作社"),
    ("micro_business", "92", "{t}{x}农家乐"),
    ("micro_business", "92", "{t}{x}便民超市"),
    ("micro_business", "92", "{t}{x}农资店"),
    ("micro_business", "91", "城口县{x}山货有限公司"),
    ("micro_business", "92", "{t}{x}老腊肉加工坊"),
)
HQ_TAGS = (
    ("hq_payroll", "代发工资", "产品"),
    ("hq_social_card", "社保卡", "产品"),
    ("hq_pension", "养老金代发", "产品"),
    ("hq_whitelist", "惠农e贷白名单", "信贷"),
    ("hq_has_loan", "有贷户", "信贷"),
    ("hq_mb_prospect", "手机银行潜客", "渠道"),
    ("hq_hnw_potential", "高净值潜力", "价值"),
    ("hq_new_citizen", "新市民", "客群"),
    ("hq_rural_revival", "乡村振兴重点户", "客群"),
    ("hq_ecny", "数字人民币钱包", "产品"),
    ("hq_wealth", "理财持有", "产品"),
    ("hq_insurance", "代理保险", "产品"),
    ("hq_dormant", "睡眠户", "风险"),
)
BRANCH_TAGS = (
    ("br_village_cadre", "村干部", "关系"),
    ("br_big_grower", "种植大户", "产业"),
    ("br_livestock", "养殖户", "产业"),
    ("br_migrant", "外出务工", "客群"),
    ("br_returnee", "返乡创业", "客群"),
    ("br_coop_member", "合作社成员", "产业"),
    ("br_elderly", "老年客户", "服务"),
    ("br_home_visit", "需上门服务", "服务"),
    ("br_tea", "茶叶种植", "产业"),
    ("br_bacon", "腊肉加工", "产业"),
    ("br_referrer", "转介绍客户", "关系"),
    ("br_school_parent", "学生家长", "场景"),
)
NOTES = (
    "家中有两个孩子在外务工",
    "种植核桃二十亩",
    "养殖生猪约三十头",
    "有意向了解惠农e贷",
    "偏好电话联系，白天在地里",
    "已介绍邻居开户",
    "需上门办理，行动不便",
    "对手机银行操作不熟悉，需指导",
    "开农家乐，旺季资金需求大",
    "子女在县城读书",
    "参加了村里的茶叶合作社",
)
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "170",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "193",
    "195",
    "198",
    "199",
)
LIFECYCLES = (("mature", 55), ("honeymoon", 10), ("new", 8), ("churn_warning", 12), ("churned", 8), ("recovered", 7))
CHANNELS = ("counter", "mobile_app", "phone", "paper", "visit")
_ID_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_W = tuple(pow(3, i, 31) for i in range(17))


def _id_check(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _ID_W, strict=True)) % 11]


def _uscc_check(first17: str) -> str:
    total = sum(_USCC.index(c) * w for c, w in zip(first17, _USCC_W, strict=True))
    return _USCC[(31 - total % 31) % 31]


def _weighted(pairs: tuple[tuple[Any, int], ...]) -> tuple[list[Any], list[int]]:
    return [p[0] for p in pairs], list(accumulate(p[1] for p in pairs))


def build_county(seed: int = 2026, n_clients: int = 5000) -> DemoCounty:
    """Townships, villages, staff and tags for a county of ``n_clients`` clients."""
    rng = random.Random(f"county-{seed}")
    townships = tuple(Township(i + 1, f"{COUNTY_CODE}{100 + i:03d}", name) for i, name in enumerate(TOWNSHIPS))
    n_villages = min(400, max(173, n_clients // 3000))
    villages: list[Village] = []
    used: dict[int, set[str]] = {t.id: set() for t in townships}
    for i in range(n_villages):
        t = townships[i % len(townships)] if i < len(townships) else rng.choice(townships)
        while True:
            name = rng.choice(VILLAGE_PARTS_A) + rng.choice(VILLAGE_PARTS_B) + ("社区" if rng.random() < 0.08 else "村")
            if name not in used[t.id]:
                used[t.id].add(name)
                break
        villages.append(Village(i + 1, t.id, f"{t.code}{200 + i:03d}", name, rng.randint(3, 12)))
    n_managers = min(400, max(6, n_clients // 2500))
    staff = [StaffMember(1, "A0001", "刘建国", "branch_head")]
    names_seen = {"刘建国"}
    for k in range(n_managers):
        while True:
            female = rng.random() < 0.5
            name = (
                rng.choice(SURNAMES)[0]
                + rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
                + rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
            )
            if name not in names_seen:
                names_seen.add(name)
                break
        staff.append(StaffMember(k + 2, f"M{k + 1:04d}", name, "manager"))
    staff.append(StaffMember(len(staff) + 1, "C0001", "周文华", "county"))
    staff.append(StaffMember(len(staff) + 1, "IT001", "赵敏", "admin"))
    tags = tuple(
        Tag(i + 1, code, name, "hq" if code.startswith("hq_") else "branch", cat)
        for i, (code, name, cat) in enumerate(HQ_TAGS + BRANCH_TAGS)
    )
    return DemoCounty(
        seed=seed,
        n_clients=n_clients,
        county_code=COUNTY_CODE,
        county_name=COUNTY_NAME,
        branch_code=f"{COUNTY_CODE}-01",
        branch_name="城口县支行葛城网点",
        townships=townships,
        villages=tuple(villages),
        staff=tuple(staff),
        tags=tags,
    )


def iter_clients(county: DemoCounty) -> Iterator[dict[str, Any]]:
    """Exactly ``county.n_clients`` client dicts, deterministic for (seed, n_clients)."""
    rng = random.Random(f"clients-{county.seed}-{county.n_clients}")
    rand = rng.random
    randint = rng.randint
    sur_vals, sur_cum = _weighted(SURNAMES)
    sur_total = sur_cum[-1]
    life_vals, life_cum = _weighted(LIFECYCLES)
    life_total = life_cum[-1]
    town = {t.id: t for t in county.townships}
    # village sizes are skewed: a few big villages, many small ones
    vweights = list(accumulate(1.0 / (1 + (i % 37) * 0.15) for i in range(len(county.villages))))
    vtotal = vweights[-1]
    managers = [s.id for s in county.staff if s.role == "manager"]
    vill_mgr = {
        v.id: (managers[i % len(managers)], managers[(i * 7 + 3) % len(managers)])
        for i, v in enumerate(county.villages)
    }
    prefix = {v.id: f"{town[v.township_id].name}{v.name}" for v in county.villages}
    tag_codes = [t.code for t in county.tags]
    by_segment_tags = {
        "farmer": ("hq_social_card", "br_big_grower", "br_livestock", "hq_whitelist", "br_tea", "br_coop_member"),
        "sole_trader": ("hq_has_loan", "hq_whitelist", "br_bacon", "hq_ecny", "br_returnee"),
        "payroll": ("hq_payroll", "hq_wealth", "hq_new_citizen", "br_school_parent"),
        "retiree": ("hq_pension", "br_elderly", "br_home_visit", "hq_insurance"),
        "student": ("hq_mb_prospect", "hq_ecny"),
        "micro_business": ("hq_has_loan", "hq_whitelist", "br_referrer"),
        "cooperative": ("hq_has_loan", "br_coop_member", "br_big_grower"),
    }
    earlier_ids: list[str] = []
    day0 = date(1936, 1, 1).toordinal()
    today_ord = TODAY.toordinal()
    for i in range(county.n_clients):
        uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        r = rand()
        vid = county.villages[min(bisect(vweights, r * vtotal), len(vweights) - 1)].id
        v = county.villages[vid - 1]
        business = rand() < 0.03
        group = randint(1, v.groups)
        address = f"{prefix[vid]}{group}组{randint(1, 120)}号"
        mgr_a, mgr_b = vill_mgr[vid]
        manager_id = mgr_a if rand() < 0.8 else mgr_b
        if business:
            seg, head, pattern = BUSINESS_KINDS[randint(0, len(BUSINESS_KINDS) - 1)]
            x = sur_vals[bisect(sur_cum, rand() * sur_total)] + GIVEN_MALE[randint(0, len(GIVEN_MALE) - 1)]
            name = pattern.format(t=town[v.township_id].name[:-1], v=v.name[:-1], x=x)
            body = "".join(_USCC[randint(0, 30)] for _ in range(9))
            first17 = f"{head}{COUNTY_CODE}{body}"
            id_number = first17 + _uscc_check(first17)
            age = 40
        else:
            female = rand() < 0.49
            pool = GIVEN_FEMALE if female else GIVEN_MALE
            given = pool[randint(0, len(pool) - 1)]
            if rand() > 0.15:
                given += pool[randint(0, len(pool) - 1)]
            name = sur_vals[bisect(sur_cum, rand() * sur_total)] + given
            # ages 16..90, weighted to working age and older villagers
            age = int(16 + 74 * rand() ** 1.15)
            born = date.fromordinal(max(day0, today_ord - age * 365 - randint(0, 364)))
            region = COUNTY_CODE if born.year >= 1997 else MID_COUNTY_CODE if born.year >= 1992 else OLD_COUNTY_CODE
            seq = randint(0, 499) * 2 + (0 if female else 1)
            first17 = f"{region}{born:%Y%m%d}{seq:03d}"
            id_number = first17 + _id_check(first17)
            if earlier_ids and rand() < 0.003:
                id_number = earlier_ids[randint(0, len(earlier_ids) - 1)]
            elif len(earlier_ids) < 5000:
                earlier_ids.append(id_number)
            if age <= 24 and rand() < 0.5:
                seg = "student"
            elif age >= 60 and rand() < 0.6:
                seg = "retiree"
            else:
                x = rand()
                seg = "farmer" if x < 0.62 else "sole_trader" if x < 0.8 else "payroll"
        mobile = None
        if not (age > 70 and rand() < 0.35) and rand() > 0.02:
            mobile = MOBILE_PREFIXES[randint(0, len(MOBILE_PREFIXES) - 1)] + f"{randint(0, 99_999_999):08d}"
        # balances: lognormal around 2万元, a tenth near zero
        if rand() < 0.1:
            aum = randint(0, 50_000)
        else:
            aum = int(math.exp(rng.gauss(math.log(2_000_000), 1.3)))
            if business:
                aum *= 5
        deposit = int(aum * (0.55 + 0.45 * rand()))
        loan = int(math.exp(rng.gauss(math.log(8_000_000), 0.9))) if rand() < (0.45 if business else 0.12) else 0
        signed = rand() < (0.25 if age > 65 else 0.62)
        active = signed and rand() < 0.6
        consent_r = rand()
        consent = True if consent_r < 0.7 else False if consent_r < 0.8 else None
        consent_date = channel = None
        if consent is not None:
            consent_date = date.fromordinal(date(2019, 1, 1).toordinal() + randint(0, 2860))
            channel = CHANNELS[randint(0, 4)]
        last_contact = None if rand() < 0.15 else TODAY - timedelta(days=randint(0, 730))
        n_tags = min(5, int(rand() * rand() * 6))
        options = by_segment_tags[seg]
        chosen = {options[randint(0, len(options) - 1)] for _ in range(n_tags)}
        if n_tags >= 3:
            chosen.add(tag_codes[randint(0, len(tag_codes) - 1)])
        if mobile and not signed and rand() < 0.5:
            chosen.add("hq_mb_prospect")
        yield {
            "uid": uid,
            "client_no": None if rand() < 0.02 else f"CQ{county.seed % 100:02d}{i + 1:08d}",
            "kind": "business" if business else "individual",
            "name": name,
            "id_number": id_number,
            "mobile": mobile,
            "village_id": vid,
            "group_name": f"{group}组",
            "address": address,
            "segment": seg,
            "aum_fen": aum,
            "deposit_fen": deposit,
            "loan_fen": loan,
            "mb_signed": signed,
            "mb_active": active,
            "lifecycle": life_vals[bisect(life_cum, rand() * life_total)],
            "potential": rand() < 0.08,
            "manager_id": manager_id,
            "consent": consent,
            "consent_date": consent_date,
            "consent_channel": channel,
            "notes": NOTES[randint(0, len(NOTES) - 1)] if rand() < 0.06 else "",
            "last_contact": last_contact,
            "tags": tuple(sorted(chosen)),
        }


# --- the microloan whitelist ------------------------------------------------------------------------
#
# Head office's entries for the demo county (惠农e贷 for farmers, 经营快贷 for businesses), a
# scorecard per industry cluster with the weights of a real rating sheet (人口数 8, 劳动力 8,
# 家庭资产总值 13, 净资产 13, 股金 4, 家庭纯收入 14, 综合评价 30, 履约情况 10), and the branch's
# work so far: entries given to managers, outcomes recorded. The same for both sides: the
# branch's demo and head office's demo describe the same whitelist.

CLUSTERS = (
    ("tea", "茶叶产业集群"),
    ("walnut", "核桃产业集群"),
    ("livestock", "生猪养殖集群"),
    ("bacon", "腊肉加工集群"),
)
WHITELIST_NS = uuid.UUID("0b6f3f5e-2d7a-4c1e-8a4b-6f1d2c3e4a5b")
_BANDS = (("A", 85, 200_000, 500_000), ("B", 70, 100_000, 300_000), ("C", 55, 30_000, 100_000),
          ("D", 40, 3_000, 30_000))  # band, min score, limit range in 元


def scorecards() -> list[dict[str, Any]]:
    """One scorecard per cluster, in wire form (JSON columns as objects)."""
    out = []
    for i, (code, name) in enumerate(CLUSTERS):
        factors = [
            {"key": "household_size", "label": "人口数", "weight": 8, "steps": [[1, 0.25], [3, 0.75], [4, 1]]},
            {"key": "labour", "label": "劳动力", "weight": 8, "steps": [[1, 0.5], [2, 1]]},
            {"key": "assets_wan", "label": "家庭资产总值", "weight": 13, "steps": [[5, 0.3], [20, 0.7], [50, 1]]},
            {"key": "net_assets_wan", "label": "净资产", "weight": 13, "steps": [[0, 0.2], [10, 0.6], [30, 1]]},
            {"key": "shares_wan", "label": "股金", "weight": 4, "steps": [[0.1, 0.5], [1, 1]]},
            {"key": "net_income_last_wan", "label": "家庭纯收入", "weight": 14,
             "steps": [[2, 0.3], [5, 0.7], [10, 1]]},
            {"key": "overall", "label": "综合评价", "weight": 30,
             "choices": {"5": 1, "4": 0.8, "3": 0.6, "2": 0.3, "1": 0}},
            {"key": "credit_record", "label": "履约情况", "weight": 10,
             "choices": {"good": 1, "minor": 0.5, "bad": 0}},
        ]
        if i % 2 == 0:
            factors[1]["steps"] = [[1, 0.4], [2, 0.8], [3, 1]]
        bands = {
            "bands": [{"band": b, "min_score": s, "limit_min_fen": lo * 100, "limit_max_fen": hi * 100}
                      for b, s, lo, hi in _BANDS],
            "caps": [
                {"label": "有不良信用记录：最高 D 档", "key": "credit_record", "in": ["bad"], "max_band": "D"},
                {"label": "负债超过资产的 70%：最高 C 档", "key": "debt_ratio", "over": 0.7, "max_band": "C"},
                {"label": "额度不超过上年家庭纯收入的 3 倍", "key": "net_income_last_wan", "times": 3},
            ],
        }
        out.append({"uid": f"scorecard-{code}-2026", "cluster": code, "name": name, "version": "2026.1",
                    "product": "xingnong_e_dai", "factors": factors, "bands": bands, "valid_from": "2026-01-01"})
    return out


WHITELIST_FIELDS = ("uid", "client_no", "segment", "kind", "tags", "village_id", "manager_id")


def whitelist(county: DemoCounty, clients: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]],
                                                                             list[dict[str, Any]]]:
    """(entries, outcomes) in wire form: about two thirds of the farmers, sole traders and businesses
    with a core number, given to their own manager mostly, a share already worked."""
    rng = random.Random(f"whitelist-{county.seed}-{county.n_clients}")
    staff_code = {s.id: s.code for s in county.staff}
    managers = [s.code for s in county.staff if s.role == "manager"]
    entries: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any]] = []
    for c in clients:
        if not c.get("client_no") or c["segment"] not in ("farmer", "sole_trader", "micro_business", "cooperative"):
            continue
        if "hq_whitelist" not in c.get("tags", ()) and rng.random() > 0.6:
            continue
        n = len(entries)
        business = c["segment"] in ("micro_business", "cooperative") or c["kind"] == "business"
        band, score_lo, lo, hi = _BANDS[min(3, int(rng.random() ** 1.4 * 4))]
        limit = rng.randrange(lo, hi + 1, 1000) * 100
        r = rng.random()
        if r < 0.05:
            valid_to = TODAY - timedelta(days=rng.randint(1, 60))  # lapsed
        elif r < 0.22:
            valid_to = TODAY + timedelta(days=rng.randint(20, 150))  # expiring soon
        else:
            valid_to = TODAY + timedelta(days=rng.randint(200, 1000))
        uid = str(uuid.uuid5(WHITELIST_NS, f"whitelist:{c['uid']}"))
        own = staff_code.get(c.get("manager_id"))
        manager = None if rng.random() < 0.15 else own if own and rng.random() < 0.85 else managers[n % len(managers)]
        entries.append({
            "uid": uid, "client_uid": c["uid"], "client_no": c["client_no"],
            "product": "jingying_kuaidai" if business else "xingnong_e_dai", "limit_fen": limit,
            "rate_bp": 385 if not business else 420, "valid_from": (valid_to - timedelta(days=1095)).isoformat(),
            "valid_to": valid_to.isoformat(), "batch": "2026Q3" if n % 3 else "2025Q4",
            "cluster": CLUSTERS[(c["village_id"] + (1 if business else 0)) % len(CLUSTERS)][0],
            "score": min(999, score_lo * 10 + rng.randint(0, 140)), "band": band, "manager": manager,
        })
        if manager is None or rng.random() < 0.45:
            continue  # not worked yet
        day = TODAY - timedelta(days=rng.randint(20, 90))
        steps = ["contacted"]
        x = rng.random()
        if x < 0.12:
            steps = ["unreachable"]
        elif x < 0.22:
            steps = ["contacted", "refused"]
        elif x < 0.55:
            steps = ["contacted", "interested"]
        elif x < 0.75:
            steps = ["contacted", "interested", "applied"]
        elif x < 0.95:
            steps = ["contacted", "interested", "applied", "drawn"]
        for k, status in enumerate(steps):
            drawn = limit * rng.randint(3, 10) // 10 // 100 * 100 if status == "drawn" else 0
            outcomes.append({
                "uid": str(uuid.uuid5(WHITELIST_NS, f"outcome:{uid}:{k}")), "whitelist_uid": uid, "status": status,
                "amount_fen": drawn, "date": day.isoformat(),
                "reason": {"unreachable": "电话停机，上门两次家中无人", "refused": "暂无资金需求"}.get(status, ""),
                "note": "", "staff": manager,
            })
            day += timedelta(days=rng.randint(1, 12))
            if day > TODAY:
                day = TODAY
    return entries, outcomes


# --- campaigns --------------------------------------------------------------------------------------
#
# A few of head office's campaigns in flight, each with the middle office's target list (中台精筛名单).
# The list may hold clients who never consented to marketing: the branch leaves them out.

CAMPAIGNS = (
    ("2026-mb-activation", "手机银行激活季", "mobile_banking", "2026-11-01", "2026-12-31", 500,
     "介绍手机银行缴费、转账功能，协助客户完成首次登录。", "首次登录送话费 10 元", "hq_mb_prospect"),
    ("2026-social-card", "社保卡激活与养老金代发", "social_card", "2026-10-15", "2027-01-31", 300,
     "上门或在厅堂协助激活社保卡，介绍养老金代发到账提醒。", "激活即送保温杯一只", "hq_social_card"),
    ("2026-ecny-market", "赶集日数字人民币推广", "ecny", "2026-11-15", "2027-02-28", 200,
     "赶集日在集市摆摊，帮助商户开通数字人民币收款码，演示收款与提现。", "开通商户送收款音箱", "hq_ecny"),
)
CAMPAIGN_FIELDS = ("uid", "tags", "consent")


def campaigns(clients: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(campaigns, targets) in wire form: each campaign's targets are the clients with its tag,
    up to its goal."""
    rows = list(clients)
    out_c, out_t = [], []
    for code, name, product, starts, ends, goal, script, benefits, tag in CAMPAIGNS:
        out_c.append({"uid": code, "code": code, "name": name, "product": product, "starts": starts, "ends": ends,
                      "script": script, "benefits": benefits, "goal": goal, "source": "hq"})
        chosen = [c["uid"] for c in rows if tag in c.get("tags", ())][:goal]
        out_t += [{"uid": str(uuid.uuid5(WHITELIST_NS, f"target:{code}:{u}")), "campaign": code, "client_uid": u,
                   "manager": None, "note": "总行中台精筛", "source": "hq"} for u in chosen]
    return out_c, out_t


CONTACT_OUTCOMES = (("有意向", 4), ("再考虑", 3), ("不需要", 2), ("已开通", 2), ("已办理", 2), ("已激活", 1))


def campaign_work(county: DemoCounty, targets: list[dict[str, Any]], clients: Iterable[dict[str, Any]], *,
                  today: date | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The branch's work on head office's campaigns so far, in wire form: (the targets, most of
    them distributed to the client's own manager, the rest to another or to none) and the
    campaign contacts the managers logged since each campaign started (about half the
    distributed targets reached, some more than once; about a third of those converted).
    Branch records: the branch's demo loads them, head office's demo does not publish them."""
    rng = random.Random(f"campaign-work-{county.seed}-{county.n_clients}")
    today = today or date.today()
    managers = [s.code for s in county.staff if s.role == "manager"]
    code_of = {s.id: s.code for s in county.staff}
    own = {c["uid"]: code_of.get(c.get("manager_id")) for c in clients}
    starts = {code: date.fromisoformat(start) for code, _n, _p, start, *_rest in CAMPAIGNS}
    outcomes, weights = _weighted(CONTACT_OUTCOMES)
    channels = ("phone", "phone", "visit", "hall", "wechat", "invite")
    out_t, out_k = [], []
    for n, t in enumerate(targets):
        r = rng.random()
        manager = None if r < 0.1 else (own.get(t["client_uid"]) if r < 0.9 else None) or managers[n % len(managers)]
        out_t.append({**t, "manager": manager})
        first = starts[t["campaign"]]
        days = (today - first).days
        if manager is None or days < 1 or rng.random() > 0.55:
            continue
        day = first + timedelta(days=int(days * rng.random() ** 1.3))
        for visit in range(1 + (rng.random() < 0.3)):
            outcome = rng.choices(outcomes, cum_weights=weights)[0] if visit or rng.random() < 0.7 else "未接通"
            out_k.append({"uid": str(uuid.uuid5(WHITELIST_NS, f"contact:{t['uid']}:{visit}")),
                          "client_uid": t["client_uid"], "staff": manager, "date": day.isoformat(),
                          "channel": rng.choice(channels), "outcome": outcome, "note": "",
                          "campaign": t["campaign"], "whitelist_uid": None, "next_date": None})
            day = min(today, day + timedelta(days=rng.randint(3, 12)))
    return out_t, out_k


def campaign_followups(county: DemoCounty, contacts: list[dict[str, Any]], *,
                       today: date | None = None) -> list[dict[str, Any]]:
    """The follow-ups the managers planned after a campaign contact that left the client interested or
    thinking it over (two in five of those), in wire form: due from twelve days ago to six days ahead, so a
    manager's front page has overdue, today's and this week's work. The contact gets the same
    ``next_date`` (as logging a contact with a next date does). Branch records."""
    rng = random.Random(f"campaign-followups-{county.seed}-{county.n_clients}")
    today = today or date.today()
    last: dict[tuple[str, str], dict[str, Any]] = {}
    for k in contacts:
        last[k["client_uid"], k["campaign"]] = k
    out = []
    for (client_uid, campaign), k in sorted(last.items()):
        if k["outcome"] not in ("有意向", "再考虑") or rng.random() > 0.4:
            continue
        due = today + timedelta(days=rng.randint(-12, 6))
        k["next_date"] = due.isoformat()
        out.append({"uid": str(uuid.uuid5(WHITELIST_NS, f"followup:{k['uid']}")), "client_uid": client_uid,
                    "campaign": campaign, "due": due.isoformat(), "done": False, "result": "", "note": "",
                    "staff": k["staff"], "snoozed_until": None, "snooze_reason": ""})
    return out
