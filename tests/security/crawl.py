"""The crawler's requests and what counts as a leak (tests/security/test_region_isolation_crawler.py)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field

from django.test import Client

LOGIN_PAGES = ("/accounts/login/", "/admin/login/")
MISSING_INT = 2_000_000_000


@dataclass
class Tally:
    requests: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def count(self, kind: str) -> None:
        self.requests += 1
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1


class Caller:
    """One signed-in user's client, counting what it sends."""

    def __init__(self, user, tally: Tally, kind: str, role: str = ""):
        self.user, self.tally, self.kind, self.role = user, tally, kind, role
        self.client = Client()
        self.client.force_login(user)

    def send(self, method: str, path: str, *, api: bool, data=None, query=None):
        self.tally.count(self.kind)
        call = getattr(self.client, method.lower())
        if method == "GET":
            response = call(path, query or {})
        elif api:
            response = call(path, json.dumps(data if data is not None else {}), content_type="application/json")
        elif method == "POST":
            response = call(path, data or {})
        else:
            response = call(path)
        if getattr(response, "streaming", False):
            # Read a file or a stream to its end now: the test client then closes it (its file
            # handle, its cursor) without closing the test's database connection, as
            # ``response.close()`` called here would on PostgreSQL.
            response.read_body = b"".join(response.streaming_content)
        return response


def body_text(response) -> str:
    """What a response shows, whatever its form: a page, JSON, CSV, a workbook (its XML
    parts), a PDF (its text)."""
    raw = response.read_body if getattr(response, "streaming", False) else response.content
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                             if name.endswith(".xml") or name.endswith(".rels"))
    if raw[:4] == b"%PDF":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(raw)).pages)
    text = raw.decode("utf-8", "replace")
    if "json" in response.get("Content-Type", ""):
        # JSON may escape non-ASCII text: read it back as the characters it stands for.
        try:
            text += "\n" + json.dumps(json.loads(raw), ensure_ascii=False)
        except ValueError:
            pass
    return text


def shown(response, identifiers: set[str], sent=()) -> list[str]:
    """The identifiers ``response`` shows, less what the request itself sent (a form shown
    again with its input, a page linking to itself with its query)."""
    text = body_text(response)
    echoed = {str(value) for value in sent}
    return sorted(i for i in identifiers if i in text and i not in echoed)


def to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].split("?")[0] in LOGIN_PAGES


def missing_value(key: str, value):
    """What stands for a record that does not exist, in place of world key ``key``."""
    if key == "month":
        return value  # not a record: the fund's statement month stays
    if key.endswith("_code"):
        return "370899999999"
    if key == "export_job":
        return str(uuid.uuid4())
    return MISSING_INT
