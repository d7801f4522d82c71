"""Demo cases of this program for ``seed_demo`` (filled in below)."""


def summary(township_code: str) -> str:
    return ""
