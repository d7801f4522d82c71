"""The demo city: Jining's counties, synthetic townships and villages in two of them,
staff for every level, and households shaped like the people social assistance serves.

Everything is deterministic, so ``seed_demo`` can be run again at any time: regions
are upserted, staff provisioned to the same state, and a household whose members
already exist is skipped. The townships, villages and staff do not depend on the
seed (a second seed adds households, it does not rename the map); the households do.

Households go through ``registry.services.register_household``, so every one is
validated and audited exactly as if a caseworker had typed it in.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

import regions
from audit import services as audit
from regions.codes import Level
from regions.management.commands.import_regions import ImportResult, RegionRow, import_regions, rows_from_csv
from registry.models import (
    Asset,
    AssetKind,
    Condition,
    DisabilityKind,
    Household,
    Income,
    IncomeKind,
    Person,
    Registration,
    Relation,
)
from registry.services import register_household
from registry.synthetic import make_first_generation_id, make_id_number
from staff.models import User
from staff.roles import Role
from staff.services import provision

# One password for every demo login. It is public (it is printed), so it must never
# be used for an installation that holds real people's data.
DEMO_PASSWORD = "demo-2026"  # noqa: S105 - published demo credential
# A fixed salt keeps the stored hash identical between runs, so a rerun sees the
# accounts unchanged instead of re-hashing (half a second each) and auditing them.
_DEMO_PASSWORD_SALT = "seeddemo2026"  # noqa: S105 - a salt, not a secret

# Ages and birth dates count from this fixed day, not from today: an ID number holds
# the birth date, so a moving anchor would make tomorrow's run invent different
# people and register every household a second time.
REFERENCE_DATE = datetime.date(2026, 1, 1)
DEFAULT_HOUSEHOLDS = 2000
DEFAULT_SEED = 2026

COUNTIES_CSV = Path(regions.__file__).resolve().parent / "data" / "jining-counties.csv"
CITY_CODE = "370800000000"
RENCHENG = "370811000000"
YANZHOU = "370812000000"

# Real names of the two counties' streets (街道) and towns (镇); the codes are synthetic.
TOWNSHIPS = {
    RENCHENG: ["济阳街道", "南苑街道", "古槐街道", "仙营街道", "喻屯镇", "长沟镇", "安居镇", "唐口镇"],
    YANZHOU: ["鼓楼街道", "酒仙桥街道", "龙桥街道", "大安镇", "新驿镇", "颜店镇", "漕河镇", "小孟镇"],
}
COMMUNITY_WORDS = (
    "东关 西关 南关 北关 和平 幸福 光明 建设 文化 新华 运河 太白 红星 翠都 银都 康桥 锦绣 阳光 明珠 书院 "
    "青年 府河 洸河 车站 火炬 南池 北湖 荷花 柳行 通达 富民 育才 东方 常青 古楼 杨柳 花园 振兴 龙湖 金城"
).split()
VILLAGE_PREFIXES = ["", "", "", "前", "后", "东", "西", "南", "北", "大", "小"]
VILLAGE_SURNAMES = (
    "王 李 张 刘 陈 杨 赵 孙 周 吴 徐 马 朱 胡 郭 何 高 林 罗 郑 梁 宋 唐 许 韩 冯 邓 曹 彭 曾 孔 颜 孟 田 姜 蔡 贾 丁 魏 薛"
).split()
VILLAGE_SUFFIXES = ["庄", "楼", "集", "屯", "营", "店", "寨", "堂", "庙", "洼", "桥", "铺", "园", "家"]
RURAL_LANES = ["前街", "后街", "东街", "西街", "中街", "南胡同", "北胡同", "新村路", ""]

# Given names common among people born before about 1960, when Faker's modern names
# would look out of place on an 85-year-old.
OLD_GIVEN_NAMES_MALE = (
    "德明 建国 国华 保国 振华 文华 玉山 长林 福田 树林 广德 庆祥 德胜 守义 兆林 继全 洪喜 金山 宝善 承志 永福 传友 学礼 凤岐"
).split()
OLD_GIVEN_NAMES_FEMALE = (
    "秀英 桂英 秀兰 玉兰 桂兰 秀珍 凤英 玉珍 玉英 兰英 淑珍 秀云 桂芝 玉梅 凤兰 素珍 翠花 春兰 金花 桂荣"
).split()

# A person's ID keeps the area code of the place that first issued it, however the
# map changed since. Older residents may carry the code of a predecessor county
# (济宁市市中区 merged into 任城区, 兖州市 became 兖州区) or of a former prefecture
# (地区) elsewhere in Shandong, abolished when the prefectures became cities.
PREDECESSOR_AREAS = {RENCHENG: "370802", YANZHOU: "370882"}
FORMER_SHANDONG_AREAS = ["372901", "372801", "372401", "372301"]

DISABILITY_KINDS_ELDERLY = [
    (DisabilityKind.PHYSICAL, 40), (DisabilityKind.VISUAL, 20), (DisabilityKind.HEARING, 20),
    (DisabilityKind.MULTIPLE, 8), (DisabilityKind.SPEECH, 2), (DisabilityKind.INTELLECTUAL, 4),
    (DisabilityKind.MENTAL, 6),
]
DISABILITY_KINDS_YOUNG = [
    (DisabilityKind.INTELLECTUAL, 30), (DisabilityKind.MENTAL, 25), (DisabilityKind.PHYSICAL, 25),
    (DisabilityKind.MULTIPLE, 10), (DisabilityKind.HEARING, 5), (DisabilityKind.VISUAL, 3),
    (DisabilityKind.SPEECH, 2),
]


# --- The map ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Village:
    code: str
    name: str
    township_code: str
    township_name: str
    county_code: str

    @property
    def urban(self) -> bool:
        return self.name.endswith("社区")


@dataclass(frozen=True)
class DemoMap:
    rows: list[RegionRow]
    townships: list[tuple[str, str]]  # (code, name), in code order
    villages: list[Village]
    names: dict[str, str]  # every demo region's name by code


def _village_names(rng: random.Random, count: int, street: bool) -> list[str]:
    if street:
        return [f"{word}社区" for word in rng.sample(COMMUNITY_WORDS, count)]
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(VILLAGE_PREFIXES)}{rng.choice(VILLAGE_SURNAMES)}{rng.choice(VILLAGE_SUFFIXES)}村"
        if name not in names:
            names.append(name)
    return names


def demo_map() -> DemoMap:
    """The city and counties from the shipped CSV, and 8 townships with 6–12 villages
    each in 任城区 and 兖州区. Codes follow the 12-digit structure: township digits
    001.. (370811001000), village digits 001.. under it (370811001001)."""
    rows = rows_from_csv(COUNTIES_CSV)
    names = {r.code: r.name for r in rows}
    townships, villages = [], []
    for county_code, township_names in TOWNSHIPS.items():
        for t, township_name in enumerate(township_names, start=1):
            t_code = f"{county_code[:6]}{t:03d}000"
            rows.append(RegionRow(code=t_code, name=township_name, level=Level.TOWNSHIP, parent=county_code))
            townships.append((t_code, township_name))
            names[t_code] = township_name
            # Seeded by the township code alone: the map is the same whatever --seed says.
            rng = random.Random(f"demo-villages-{t_code}")
            street = township_name.endswith("街道")
            for v, v_name in enumerate(_village_names(rng, rng.randint(6, 12), street), start=1):
                v_code = f"{t_code[:9]}{v:03d}"
                rows.append(RegionRow(code=v_code, name=v_name, level=Level.VILLAGE, parent=t_code))
                villages.append(Village(v_code, v_name, t_code, township_name, county_code))
                names[v_code] = v_name
    return DemoMap(rows=rows, townships=townships, villages=villages, names=names)


# --- Staff --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StaffSpec:
    username: str
    roles: tuple[str, ...]
    region_code: str
    name: str
    superuser: bool = False
    featured: bool = False  # one of the fixed logins printed at the end


def demo_staff(demo: DemoMap) -> list[StaffSpec]:
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(20260101)  # fixed: staff names do not change with --seed
    first_township, second_township = demo.townships[0][0], demo.townships[1][0]
    specs = [
        StaffSpec("admin", (Role.ADMIN,), CITY_CODE, fake.name(), superuser=True, featured=True),
        StaffSpec("city_supervisor", (Role.SUPERVISOR,), CITY_CODE, fake.name(), featured=True),
        StaffSpec("supervisor", (Role.SUPERVISOR,), RENCHENG, fake.name(), featured=True),
        StaffSpec("county_reviewer", (Role.COUNTY_REVIEWER,), RENCHENG, fake.name(), featured=True),
        StaffSpec("county_finance", (Role.COUNTY_FINANCE,), RENCHENG, fake.name(), featured=True),
        StaffSpec("township_head", (Role.TOWNSHIP_HEAD,), first_township, fake.name(), featured=True),
        StaffSpec("caseworker", (Role.CASEWORKER,), first_township, fake.name(), featured=True),
        # In the next township: logged in side by side with `caseworker`, shows region scoping.
        StaffSpec("caseworker2", (Role.CASEWORKER,), second_township, fake.name(), featured=True),
    ]
    for county_code in TOWNSHIPS:
        p = county_code[:6]
        specs += [
            StaffSpec(f"cr_{p}", (Role.COUNTY_REVIEWER,), county_code, fake.name()),
            StaffSpec(f"cf_{p}", (Role.COUNTY_FINANCE,), county_code, fake.name()),
            StaffSpec(f"sv_{p}", (Role.SUPERVISOR,), county_code, fake.name()),
        ]
    for t_code, _name in demo.townships:
        specs += [
            StaffSpec(f"cw_{t_code[:9]}", (Role.CASEWORKER,), t_code, fake.name()),
            StaffSpec(f"th_{t_code[:9]}", (Role.TOWNSHIP_HEAD,), t_code, fake.name()),
        ]
    # 兖州区's first township gets a second caseworker, as 任城区's has: two investigate a
    # 低保 or 特困 case and neither may decide it (its demo cases: workflows/enrolment/demo.py).
    yanzhou_first = next(code for code, _name in demo.townships if code.startswith(YANZHOU[:6]))
    # Last, so that every other login keeps the name the seeded Faker gave it before.
    specs.append(StaffSpec("yz_caseworker", (Role.CASEWORKER,), yanzhou_first, fake.name(), featured=True))
    return specs


# --- Households ---------------------------------------------------------------------------------

@dataclass
class MemberPlan:
    name: str
    surname: str
    id_number: str  # as typed: 15 digits for a first-generation card
    canonical_id: str  # the 18-character number the registry stores
    birth_date: datetime.date
    female: bool
    relation: str
    disability_kind: str | None = None
    disability_grade: int | None = None
    conditions: set[str] = field(default_factory=set)
    phone: str = ""

    def age(self) -> int:
        b = self.birth_date
        return REFERENCE_DATE.year - b.year - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (b.month, b.day))

    def as_input(self) -> dict:
        return {
            "name": self.name, "id_number": self.id_number, "relation": self.relation,
            "disability_kind": self.disability_kind, "disability_grade": self.disability_grade,
            "conditions": sorted(self.conditions), "phone": self.phone,
        }


@dataclass
class HouseholdPlan:
    village: Village
    address: str
    registration: str
    members: list[MemberPlan]
    incomes: list[tuple[int, str, Decimal, datetime.date, str]] = field(default_factory=list)
    assets: list[tuple[int, str, str, Decimal, datetime.date]] = field(default_factory=list)


class HouseholdGenerator:
    """Plans households one after another from a single random stream, so the
    first 60 households of a 2,000-household run are the 60 of a 60-household run
    with the same seed: a larger run extends a smaller one."""

    # (weight, archetype): mostly the elderly, as in the caseloads of a civil-affairs bureau.
    ARCHETYPES = [
        (30, "elderly_alone"),
        (22, "elderly_couple"),
        (9, "elderly_with_disabled_child"),
        (12, "grandparents_with_left_behind_children"),
        (4, "orphans_with_grandparent"),
        (11, "family_with_disabled_member"),
        (6, "disabled_adult_alone"),
        (6, "ill_elder_with_carer"),
    ]

    def __init__(self, seed: int, villages: list[Village]):
        from faker import Faker

        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.villages = villages
        self.used_ids: set[str] = set()
        self._kinds = [name for _w, name in self.ARCHETYPES]
        self._weights = [w for w, _name in self.ARCHETYPES]

    def plans(self, count: int) -> list[HouseholdPlan]:
        return [self.plan() for _ in range(count)]

    def plan(self) -> HouseholdPlan:
        village = self.rng.choice(self.villages)
        kind = self.rng.choices(self._kinds, self._weights)[0]
        plan = HouseholdPlan(village=village, address=self._address(village),
                             registration=self._registration(village), members=[])
        getattr(self, f"_{kind}")(plan)
        self._assets(plan)
        return plan

    # -- people --

    def _money(self, low: float, high: float) -> Decimal:
        return (Decimal(self.rng.randint(round(low * 100), round(high * 100))) / 100).quantize(Decimal("0.01"))

    def _since(self) -> datetime.date:
        return datetime.date(self.rng.choice([2023, 2024, 2025]), self.rng.randint(1, 12), 1)

    def _birth(self, age: int) -> datetime.date:
        return REFERENCE_DATE - datetime.timedelta(days=age * 365 + self.rng.randrange(365))

    def _birth_after(self, parent: datetime.date, low: int, high: int) -> datetime.date:
        """A child's birth date ``low``–``high`` years after a parent's, never later than a year ago."""
        birth = parent + datetime.timedelta(days=self.rng.randint(low * 365, high * 365))
        return min(birth, REFERENCE_DATE - datetime.timedelta(days=365 + self.rng.randrange(300)))

    def _area(self, county_code: str, birth: datetime.date) -> str:
        if birth.year < 1990:
            r = self.rng.random()
            if r < 0.05:
                return PREDECESSOR_AREAS[county_code]
            if r < 0.08:
                return self.rng.choice(FORMER_SHANDONG_AREAS)
        return county_code[:6]

    def _given_name(self, female: bool, birth: datetime.date) -> str:
        if birth.year < 1962 and self.rng.random() < 0.8:
            return self.rng.choice(OLD_GIVEN_NAMES_FEMALE if female else OLD_GIVEN_NAMES_MALE)
        return self.fake.first_name_female() if female else self.fake.first_name_male()

    def _person(self, plan: HouseholdPlan, relation: str, birth: datetime.date, *, female: bool,
                surname: str | None = None, first_generation: bool = False) -> MemberPlan:
        area = self._area(plan.village.county_code, birth)
        while True:
            sequence = self.rng.randrange(1000)
            if (sequence % 2 == 0) != female:  # the sequence's parity is the gender: odd = male
                sequence = (sequence + 1) % 1000
            canonical = make_id_number(area, birth, sequence, female=female)
            if canonical not in self.used_ids:
                break
        self.used_ids.add(canonical)
        typed = make_first_generation_id(area, birth, sequence) if first_generation else canonical
        surname = surname or self.fake.last_name()
        member = MemberPlan(
            name=surname + self._given_name(female, birth), surname=surname,
            id_number=typed, canonical_id=canonical, birth_date=birth, female=female, relation=relation,
        )
        plan.members.append(member)
        return member

    def _head(self, plan: HouseholdPlan, age: int, *, female: bool) -> MemberPlan:
        birth = self._birth(age)
        # About one head in ten is registered from an old 15-digit card; those were
        # issued 1984–1999, to people born in the 1900s.
        first_generation = birth.year < 1980 and self.rng.random() < 0.13
        head = self._person(plan, Relation.HEAD, birth, female=female, first_generation=first_generation)
        if self.rng.random() < 0.45:
            head.phone = self.fake.phone_number()
        return head

    @staticmethod
    def _fathers_surname(head: MemberPlan, spouse: MemberPlan | None) -> str | None:
        """Children usually carry their father's surname; None when he is not in the
        household (a widow's late husband), so a surname is drawn."""
        father = next((m for m in (head, spouse) if m is not None and not m.female), None)
        return father.surname if father else None

    @staticmethod
    def _younger(head: MemberPlan, spouse: MemberPlan | None) -> datetime.date:
        return max(head.birth_date, spouse.birth_date) if spouse else head.birth_date

    def _elderly_age(self, low: int = 60, high: int = 98, mode: int = 78) -> int:
        return max(low, min(high, round(self.rng.triangular(low, high, mode))))

    def _disable(self, member: MemberPlan, kinds, grades=(15, 30, 30, 25)) -> None:
        kind_values, kind_weights = zip(*kinds, strict=True)
        member.disability_kind = self.rng.choices(kind_values, kind_weights)[0]
        member.disability_grade = self.rng.choices([1, 2, 3, 4], grades)[0]

    def _elder_health(self, member: MemberPlan) -> None:
        age, rng = member.age(), self.rng
        if rng.random() < 0.22:
            self._disable(member, DISABILITY_KINDS_ELDERLY)
        if rng.random() < 0.25:
            member.conditions.add(Condition.SERIOUS_ILLNESS)
        if age >= 75 and rng.random() < 0.10:
            member.conditions.add(Condition.DEMENTIA)
        if age >= 75 and rng.random() < 0.07:
            member.conditions.add(Condition.BEDRIDDEN)
        if (member.conditions & {Condition.DEMENTIA, Condition.BEDRIDDEN} or member.disability_grade == 1
                or (age >= 85 and rng.random() < 0.15)):
            member.conditions.add(Condition.UNABLE_SELF_CARE)

    # -- incomes --

    def _income(self, plan, member, kind, low, high, source) -> None:
        index = next(i for i, m in enumerate(plan.members) if m is member)
        amount, since = self._money(low, high), self._since()
        # A row is a member's whole monthly amount of one kind (as registry.services.record_income
        # keeps them): a second allowance of the same kind joins the first.
        for n, (i, k, total, first, sources) in enumerate(plan.incomes):
            if i == index and k == kind:
                plan.incomes[n] = (i, k, total + amount, min(first, since), f"{sources}、{source}")
                return
        plan.incomes.append((index, kind, amount, since, source))

    def _elder_incomes(self, plan: HouseholdPlan, member: MemberPlan, *, children_elsewhere: bool) -> None:
        rng = self.rng
        if plan.registration == Registration.URBAN and rng.random() < 0.4:
            self._income(plan, member, IncomeKind.PENSION, 1800, 3600, "企业职工基本养老保险")
        elif rng.random() < 0.95:
            self._income(plan, member, IncomeKind.PENSION, 150, 260, "城乡居民基本养老保险")
        if plan.registration == Registration.RURAL and member.age() < 76 and rng.random() < 0.45:
            self._income(plan, member, IncomeKind.FARMING, 80, 500, "承包地种植收入")
        if plan.registration == Registration.RURAL and rng.random() < 0.2:
            self._income(plan, member, IncomeKind.PROPERTY, 40, 150, "土地流转租金")
        if children_elsewhere and rng.random() < 0.6:
            self._income(plan, member, IncomeKind.SUPPORT, 100, 600, "子女赡养费")
        if member.age() >= 80 and rng.random() < 0.6:
            self._income(plan, member, IncomeKind.ASSISTANCE, 100, 100, "高龄津贴")
        self._disability_allowances(plan, member)

    def _disability_allowances(self, plan: HouseholdPlan, member: MemberPlan) -> None:
        # Recorded but not counted as income (assistance payments, 2021 rules).
        if member.disability_grade is None:
            return
        if member.disability_grade <= 2:
            self._income(plan, member, IncomeKind.ASSISTANCE, 90, 140, "重度残疾人护理补贴")
        if self.rng.random() < 0.7:
            self._income(plan, member, IncomeKind.ASSISTANCE, 80, 130, "困难残疾人生活补贴")

    def _assets(self, plan: HouseholdPlan) -> None:
        rng = self.rng
        as_of = datetime.date(2025, rng.randint(1, 12), rng.randint(1, 28))
        if rng.random() < 0.25:
            plan.assets.append((0, AssetKind.DEPOSIT, "银行存款", self._money(300, 30000), as_of))
        if plan.registration == Registration.RURAL and rng.random() < 0.35:
            plan.assets.append((0, AssetKind.HOUSE, "宅基地自建房", self._money(20000, 120000), as_of))
        elif plan.registration == Registration.URBAN and rng.random() < 0.2:
            plan.assets.append((0, AssetKind.HOUSE, "自有住房", self._money(120000, 380000), as_of))
        if rng.random() < 0.12:
            plan.assets.append((0, AssetKind.VEHICLE, "电动三轮车", self._money(1200, 4000), as_of))

    # -- archetypes --

    def _elderly_alone(self, plan: HouseholdPlan) -> None:
        # Mostly widows: women outlive their husbands.
        head = self._head(plan, self._elderly_age(), female=self.rng.random() < 0.62)
        head.conditions.add(Condition.LIVING_ALONE)
        self._elder_health(head)
        self._elder_incomes(plan, head, children_elsewhere=self.rng.random() < 0.7)

    def _elderly_couple(self, plan: HouseholdPlan) -> None:
        head = self._head(plan, self._elderly_age(62, 95, 76), female=self.rng.random() < 0.15)
        wife_or_husband = self._person(
            plan, Relation.SPOUSE, head.birth_date + datetime.timedelta(days=self.rng.randint(-3 * 365, 7 * 365)),
            female=not head.female)
        for member in (head, wife_or_husband):
            member.conditions.add(Condition.EMPTY_NEST)
            self._elder_health(member)
            self._elder_incomes(plan, member, children_elsewhere=True)

    def _elderly_with_disabled_child(self, plan: HouseholdPlan) -> None:
        head = self._head(plan, self._elderly_age(62, 92, 75), female=self.rng.random() < 0.55)
        self._elder_health(head)
        spouse = None
        if self.rng.random() < 0.5:
            spouse = self._person(plan, Relation.SPOUSE, self._birth_after(head.birth_date, -4, 6),
                                  female=not head.female)
            self._elder_health(spouse)
            self._elder_incomes(plan, spouse, children_elsewhere=False)
        child = self._person(plan, Relation.CHILD, self._birth_after(self._younger(head, spouse), 21, 34),
                             female=self.rng.random() < 0.45, surname=self._fathers_surname(head, spouse))
        self._disable(child, DISABILITY_KINDS_YOUNG, grades=(30, 40, 25, 5))
        if child.disability_grade == 1:
            child.conditions.add(Condition.UNABLE_SELF_CARE)
        self._elder_incomes(plan, head, children_elsewhere=False)
        self._disability_allowances(plan, child)

    def _grandparents_with_left_behind_children(self, plan: HouseholdPlan) -> None:
        rng = self.rng
        head = self._head(plan, self._elderly_age(55, 80, 66), female=rng.random() < 0.3)
        self._elder_health(head)
        spouse = None
        if rng.random() < 0.6:
            spouse = self._person(plan, Relation.SPOUSE, self._birth_after(head.birth_date, -3, 6),
                                  female=not head.female)
            self._elder_health(spouse)
        # The parents work in the cities and are registered there; a son's children
        # carry the grandfather's surname, a daughter's their other grandfather's.
        surname = self._fathers_surname(head, spouse) if rng.random() < 0.7 else None
        parent_birth = self._birth_after(self._younger(head, spouse), 21, 32)
        for _i in range(rng.choices([1, 2, 3], [50, 40, 10])[0]):
            child = self._person(plan, Relation.OTHER, self._birth_after(parent_birth, 22, 36),
                                 female=rng.random() < 0.48, surname=surname)
            child.conditions.add(Condition.LEFT_BEHIND)
            if rng.random() < 0.04:
                self._disable(child, DISABILITY_KINDS_YOUNG)
        if head.age() >= 60:
            self._elder_incomes(plan, head, children_elsewhere=False)
        else:
            self._income(plan, head, IncomeKind.FARMING, 200, 800, "承包地种植收入")
        self._income(plan, head, IncomeKind.SUPPORT, 300, 1500, "子女外出务工汇款")

    def _orphans_with_grandparent(self, plan: HouseholdPlan) -> None:
        rng = self.rng
        head = self._head(plan, self._elderly_age(60, 86, 70), female=rng.random() < 0.5)
        self._elder_health(head)
        spouse = None
        if rng.random() < 0.4:
            spouse = self._person(plan, Relation.SPOUSE, self._birth_after(head.birth_date, -3, 6),
                                  female=not head.female)
        parent_birth = self._birth_after(self._younger(head, spouse), 21, 32)
        surname = self._fathers_surname(head, spouse) if rng.random() < 0.7 else None
        for _i in range(rng.choices([1, 2], [75, 25])[0]):
            orphan = self._person(plan, Relation.OTHER, self._birth_after(parent_birth, 21, 38),
                                  female=rng.random() < 0.5, surname=surname)
            orphan.conditions.add(Condition.ORPHAN)
            self._income(plan, orphan, IncomeKind.ASSISTANCE, 1400, 1600, "散居孤儿基本生活费")
        self._elder_incomes(plan, head, children_elsewhere=False)

    def _family_with_disabled_member(self, plan: HouseholdPlan) -> None:
        rng = self.rng
        head = self._head(plan, rng.randint(30, 55), female=rng.random() < 0.3)
        spouse = None
        if rng.random() < 0.8:
            spouse = self._person(plan, Relation.SPOUSE, self._birth_after(head.birth_date, -3, 6),
                                  female=not head.female)
        children = [
            self._person(plan, Relation.CHILD, self._birth_after(self._younger(head, spouse), 21, 34),
                         female=rng.random() < 0.48, surname=self._fathers_surname(head, spouse))
            for _i in range(rng.choices([1, 2], [55, 45])[0])
        ]
        who = rng.random()
        if who < 0.5:
            disabled = children[0]
        elif who < 0.8 or spouse is None:
            disabled = head
        else:
            disabled = spouse
        self._disable(disabled, DISABILITY_KINDS_YOUNG, grades=(25, 35, 30, 10))
        if disabled.disability_grade == 1:
            disabled.conditions.add(Condition.UNABLE_SELF_CARE)
        if rng.random() < 0.2:
            rng.choice([m for m in (head, spouse) if m is not None]).conditions.add(Condition.SERIOUS_ILLNESS)
        if disabled is head and spouse is None and rng.random() < 0.5:
            for child in children:
                child.conditions.add(Condition.UNSUPPORTED_CHILD)
        for earner in (head, spouse):
            if earner is None or earner is disabled and (earner.disability_grade or 4) <= 2:
                continue
            if plan.registration == Registration.RURAL and rng.random() < 0.5:
                self._income(plan, earner, IncomeKind.FARMING, 300, 1200, "承包地种植收入")
            else:
                self._income(plan, earner, IncomeKind.WAGE, 1600, 4200, "务工收入")
        self._disability_allowances(plan, disabled)

    def _disabled_adult_alone(self, plan: HouseholdPlan) -> None:
        head = self._head(plan, self.rng.randint(35, 59), female=self.rng.random() < 0.4)
        self._disable(head, DISABILITY_KINDS_YOUNG, grades=(35, 45, 20, 0))
        head.conditions.add(Condition.LIVING_ALONE)
        if self.rng.random() < 0.3:
            head.conditions.add(Condition.SERIOUS_ILLNESS)
        if self.rng.random() < 0.3:
            self._income(plan, head, IncomeKind.SUPPORT, 100, 400, "兄弟姐妹资助")
        self._disability_allowances(plan, head)

    def _ill_elder_with_carer(self, plan: HouseholdPlan) -> None:
        rng = self.rng
        head = self._head(plan, self._elderly_age(65, 95, 82), female=rng.random() < 0.55)
        head.conditions.add(rng.choice([Condition.SERIOUS_ILLNESS, Condition.DEMENTIA, Condition.BEDRIDDEN]))
        self._elder_health(head)
        carer = self._person(plan, Relation.CHILD, self._birth_after(head.birth_date, 21, 36),
                             female=rng.random() < 0.6, surname=self._fathers_surname(head, None))
        self._elder_incomes(plan, head, children_elsewhere=False)
        if plan.registration == Registration.RURAL and rng.random() < 0.6:
            self._income(plan, carer, IncomeKind.FARMING, 300, 1000, "承包地种植收入")
        else:
            self._income(plan, carer, IncomeKind.WAGE, 1500, 3600, "灵活就业收入")

    # -- place --

    def _address(self, village: Village) -> str:
        rng = self.rng
        if village.urban:
            return f"{village.name}{rng.randint(1, 36)}号楼{rng.randint(1, 4)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}"
        return f"{village.name}{rng.choice(RURAL_LANES)}{rng.randint(1, 260)}号"

    def _registration(self, village: Village) -> str:
        # Communities of a street are mostly urban registrations; some are former villages.
        urban_share = 0.85 if village.urban else 0.06
        return Registration.URBAN if self.rng.random() < urban_share else Registration.RURAL


# --- Seeding ------------------------------------------------------------------------------------

class DemoSeedError(Exception):
    """The demo data could not be written; the message says why (nothing was kept)."""


@dataclass
class SeedReport:
    regions: ImportResult
    staff_created: int = 0
    staff_updated: int = 0
    staff_unchanged: int = 0
    households_created: int = 0
    households_skipped: int = 0
    people_created: int = 0
    incomes_created: int = 0
    assets_created: int = 0
    seconds: float = 0.0
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, roles, region name)
    totals: dict[str, int] = field(default_factory=dict)


def _existing_ids(numbers: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(numbers), 500):  # stays far below SQLite's bound-parameter limit
        chunk = numbers[start : start + 500]
        found.update(Person.objects.filter(id_number__in=chunk).values_list("id_number", flat=True))
    return found


def _seed_staff(demo: DemoMap, report: SeedReport) -> User:
    password_hash = make_password(DEMO_PASSWORD, salt=_DEMO_PASSWORD_SALT)
    for spec in demo_staff(demo):
        result = provision(
            None, username=spec.username, roles=spec.roles, region_code=spec.region_code, name=spec.name,
            superuser=spec.superuser, password_hash=password_hash, via="seed_demo",
        )
        if result.created:
            report.staff_created += 1
        elif result.changed:
            report.staff_updated += 1
        else:
            report.staff_unchanged += 1
        if spec.featured:
            roles = ", ".join(str(Role(r).label) for r in spec.roles)
            if spec.superuser:
                roles = _("%(roles)s (superuser)") % {"roles": roles}
            report.logins.append((spec.username, roles, demo.names[spec.region_code]))
    return User.objects.get(username="admin")


def _seed_households(admin: User, demo: DemoMap, count: int, seed: int, report: SeedReport,
                     progress: Callable[[int, int], None] | None) -> None:
    plans = HouseholdGenerator(seed, demo.villages).plans(count)
    existing = _existing_ids([m.canonical_id for plan in plans for m in plan.members])
    created: list[HouseholdPlan] = []
    for i, plan in enumerate(plans, start=1):
        # A household any of whose members is already registered was made by an
        # earlier run (or someone registered that person since): never a duplicate.
        if any(m.canonical_id in existing for m in plan.members):
            report.households_skipped += 1
            continue
        register_household(admin, region=plan.village.code, address=plan.address,
                           registration=plan.registration, members=[m.as_input() for m in plan.members])
        created.append(plan)
        if progress and i % 250 == 0:
            progress(i, count)
    report.households_created = len(created)
    report.people_created = sum(len(p.members) for p in created)

    # Demo data written in bulk rather than row by row through record_income/record_asset
    # (thousands of audit rows saying nothing), covered by the one audit row below.
    person_ids, households = {}, {}
    for start in range(0, len(created), 200):
        for number, pk, household_id in Person.objects.filter(
            id_number__in=[m.canonical_id for p in created[start : start + 200] for m in p.members]
        ).values_list("id_number", "id", "household_id"):
            person_ids[number], households[number] = pk, household_id
    incomes = [
        Income(household_id=households[plan.members[0].canonical_id],
               person_id=person_ids[plan.members[i].canonical_id], kind=kind, monthly_amount=amount,
               valid_from=since, source=source, recorded_by=admin)
        for plan in created for i, kind, amount, since, source in plan.incomes
    ]
    assets = [
        Asset(household_id=households[plan.members[0].canonical_id],
              person_id=person_ids[plan.members[i].canonical_id], kind=kind, description=description, value=value,
              as_of=as_of, recorded_by=admin)
        for plan in created for i, kind, description, value, as_of in plan.assets
    ]
    Income.objects.bulk_create(incomes, batch_size=500)
    Asset.objects.bulk_create(assets, batch_size=500)
    report.incomes_created, report.assets_created = len(incomes), len(assets)
    if created:
        audit.record("registry.demo.seeded", actor=admin, region_code=CITY_CODE, extra={
            "seed": seed, "households": len(created), "people": report.people_created,
            "incomes": len(incomes), "assets": len(assets),
        })


def seed_demo(households: int = DEFAULT_HOUSEHOLDS, seed: int = DEFAULT_SEED, *,
              progress: Callable[[int, int], None] | None = None) -> SeedReport:
    """Write the demo city in one transaction; rerunning it adds nothing it already holds."""
    started = time.monotonic()
    demo = demo_map()
    with transaction.atomic():
        region_result = import_regions(demo.rows, source="seed_demo")
        if region_result.errors:
            raise DemoSeedError(
                _("The demo regions clash with regions already stored; nothing was written:")
                + "\n" + "\n".join(region_result.error_lines())
            )
        report = SeedReport(regions=region_result)
        admin = _seed_staff(demo, report)
        _seed_households(admin, demo, households, seed, report, progress)
    report.totals = totals(demo)
    report.seconds = time.monotonic() - started
    return report


def totals(demo: DemoMap | None = None) -> dict[str, int]:
    """What the demo villages hold now (the programs' demos add households of their own)."""
    demo = demo or demo_map()
    village_codes = [v.code for v in demo.villages]
    return {
        "regions": len(demo.rows),
        "staff": User.objects.filter(username__in=[s.username for s in demo_staff(demo)]).count(),
        "households": Household.objects.filter(region_id__in=village_codes).count(),
        "people": Person.objects.filter(household__region_id__in=village_codes).count(),
        "incomes": Income.objects.filter(household__region_id__in=village_codes).count(),
        "assets": Asset.objects.filter(household__region_id__in=village_codes).count(),
    }
