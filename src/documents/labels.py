"""The Chinese words printed on the forms.

These are the official names of programmes, kinds and forms, printed on documents
that are Chinese by law: they are fixed text, not translatable labels, so they do
not depend on the language of whoever triggered the rendering.
"""

from __future__ import annotations

PROGRAM_NAMES = {
    "temporary": "临时救助",
    "dibao": "最低生活保障",
    "tekun": "特困人员救助供养",
}

KIND_NAMES = {
    "urgent": "急难型",
    "expense": "支出型",
}

CAUSE_NAMES = {
    "major_illness": "重大疾病",
    "school": "就学",
    "minor_emergency": "小额急难",
    "fire": "火灾",
    "accident": "意外事故",
    "disaster": "自然灾害",
    "major_hardship": "重大生活困难",
    "other": "其他",
}

DECISION_LEVELS = {
    "township": "乡镇（街道）直接审批",
    "county": "县级民政部门审批",
}

INSTALMENT_SOURCES = {  # by assistance.models.InstalmentSource
    "reserve_fund": "乡镇（街道）临时救助备用金",
    "county_transfer": "县级临时救助资金",
}

RELATIONS = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "sibling": "兄弟姐妹",
    "other": "其他亲属",
}

# Forms whose title carries the programme's name ("临时救助审批表").
_PROGRAM_TITLES = {
    "approval_form": "审批表",
    "decision_notice": "决定通知书",
    "disbursement_voucher": "金发放凭证",
}
_PLAIN_TITLES = {
    "rejection_notice": "不予救助通知书",
    "missing_documents_notice": "补正材料告知书",
    "referral_letter": "转介函",
    # 救助主动告知: told in writing that the household may apply (it has not).
    "proactive_notice": "社会救助主动告知书",
}

# What a refusal refuses, by program: enrolment is refused as "not admitted to" the
# guarantee (不予纳入), temporary assistance as assistance not given.
REFUSALS = {
    "temporary": "不予救助",
    "dibao": "不予纳入最低生活保障",
    "tekun": "不予纳入特困人员救助供养",
}
# A program whose refusal has its own title ("不予纳入最低生活保障通知书").
_REFUSAL_TITLED = frozenset({"dibao", "tekun"})

# Posted lists (workflows/enrolment/notices.py): the first-review opinion put up for
# objections (公示), and the approved list (公布).
NOTICE_TITLES = {
    "first_review": "审核确认公示",
    "approved": "审核确认结果公布",
}


def title_for(kind: str, program: str) -> str:
    if kind in _PROGRAM_TITLES:
        return PROGRAM_NAMES.get(program, "社会救助") + _PROGRAM_TITLES[kind]
    if kind == "rejection_notice" and program in _REFUSAL_TITLED:
        return REFUSALS[program] + "通知书"
    return _PLAIN_TITLES[kind]


def refusal(program: str) -> str:
    return REFUSALS.get(program, REFUSALS["temporary"])


def notice_title(kind: str, program: str) -> str:
    """公示 and 公布 of a program: 最低生活保障审核确认公示."""
    return PROGRAM_NAMES.get(program, "社会救助") + NOTICE_TITLES[kind]


def label(names: dict[str, str], code: str) -> str:
    """The printed name of a code; an unknown code is printed as it is rather than hidden."""
    return names.get(code, code or "")
