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
}


def title_for(kind: str, program: str) -> str:
    if kind in _PROGRAM_TITLES:
        return PROGRAM_NAMES.get(program, "社会救助") + _PROGRAM_TITLES[kind]
    return _PLAIN_TITLES[kind]


def label(names: dict[str, str], code: str) -> str:
    """The printed name of a code; an unknown code is printed as it is rather than hidden."""
    return names.get(code, code or "")
