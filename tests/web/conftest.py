from __future__ import annotations

import re

from tests.conftest import VILLAGE_A1


def member(name, id_number, relation="other", **extra):
    return {"name": name, "id_number": id_number, "relation": relation, **extra}


def registration_post(members, *, region=VILLAGE_A1, address="东关社区5号楼1单元202", registration="urban"):
    """The POST body of the registration page, as the browser sends it (no JS)."""
    data = {
        "region": region, "address": address, "registration": registration,
        "members-TOTAL_FORMS": str(len(members)), "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1", "members-MAX_NUM_FORMS": "20",
    }
    for i, m in enumerate(members):
        for key, value in m.items():
            data[f"members-{i}-{key}"] = value
    return data


def error_messages(html: str) -> list[str]:
    """The texts of every error list on a page."""
    items = []
    for block in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S):
        items.extend(re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li>(.*?)</li>", block, re.S))
    return items


