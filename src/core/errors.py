"""Domain errors raised by services. The web and API layers translate them:
InvalidInput → 400 with field messages, NotPermitted → 403, Conflict → 409."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = str(message)


class InvalidInput(DomainError):
    def __init__(self, errors: dict):
        super().__init__("invalid input")
        self.errors = errors


class NotPermitted(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409
