"""The 低保/特困 fixtures (tests/enrolment/conftest.py) for the API's enrolment tests: the
county's standards, a poor rural couple, a second township head and county reviewer.
The working-day calendar they need is loaded by those test modules themselves."""

from tests.enrolment.conftest import cora, hugo, poor_couple  # noqa: F401 - fixtures
from tests.means.conftest import standards  # noqa: F401 - fixtures
