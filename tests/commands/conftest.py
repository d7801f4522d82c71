import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """These tests read the commands' messages; pin the language, so that a new
    Chinese catalogue (LANGUAGE_CODE is zh-hans) changes no assertion."""
    with translation.override("en"):
        yield
