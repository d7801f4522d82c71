"""manage.py import_regions: upsert, parents first, all or nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from regions.models import Region

SHIPPED = Path(__file__).resolve().parents[2] / "src" / "regions" / "data" / "jining-counties.csv"


def run(*args) -> str:
    out = StringIO()
    call_command("import_regions", *map(str, args), stdout=out)
    return out.getvalue()


def write(tmp_path, text: str, *, bom: bool = False) -> Path:
    path = tmp_path / "regions.csv"
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_shipped_file_creates_city_and_eleven_counties():
    out = run(SHIPPED)

    assert "12" in out
    assert Region.objects.count() == 12
    city = Region.objects.get(code="370800000000")
    assert city.level == "city" and city.parent is None
    counties = Region.objects.filter(level="county")
    assert counties.count() == 11
    assert set(counties.values_list("parent_id", flat=True)) == {"370800000000"}
    assert Region.objects.get(code="370811000000").name == "任城区"
    assert AuditEvent.objects.filter(event="regions.imported").count() == 1


@pytest.mark.django_db
def test_rerun_changes_nothing_and_a_changed_name_is_updated(tmp_path):
    run(SHIPPED)
    out = run(SHIPPED)
    assert "created: 0, updated: 0, unchanged: 12" in out
    assert Region.objects.count() == 12
    assert AuditEvent.objects.filter(event="regions.imported").count() == 1  # a no-op leaves no trail

    renamed = SHIPPED.read_text(encoding="utf-8-sig").replace("任城区", "任城区（新）")
    out = run(write(tmp_path, renamed))

    assert "created: 0, updated: 1, unchanged: 11" in out
    assert Region.objects.count() == 12
    assert Region.objects.get(code="370811000000").name == "任城区（新）"


@pytest.mark.django_db
def test_children_listed_before_their_parents_and_a_bom_are_fine(tmp_path):
    run(SHIPPED)
    path = write(tmp_path, (
        "Code, Name ,LEVEL,parent\n"
        "370811001001,东关社区,village,370811001000\n"
        "370811001000,济阳街道,township,370811000000\n"
        "\n"
    ), bom=True)

    run(path)

    village = Region.objects.get(code="370811001001")
    assert village.parent_id == "370811001000"
    assert village.parent.parent_id == "370811000000"


@pytest.mark.django_db
def test_a_bad_file_writes_nothing_and_names_every_bad_line(tmp_path):
    path = write(tmp_path, (
        "code,name,level,parent\n"
        "370800000000,济宁市,city,\n"                        # fine, but must not be written either
        "370811000000,任城区,county,370800000000\n"          # fine
        "37081100100,济阳街道,township,370811000000\n"       # line 4: 11 digits
        "370811002001,南苑村,village,370811002000\n"         # line 5: parent in neither file nor database
        "370812001000,鼓楼街道,township,370811000000\n"      # line 6: not under its parent county
        "370811003000,古槐街道,township,370811000000\n"      # fine
        "370811009001,错村,village,370811003000\n"           # line 8: village not under its township
        "370811004000,,hamlet,370811000000\n"                # line 9: no name, unknown level
    ))

    with pytest.raises(CommandError) as caught:
        run(path)

    message = str(caught.value)
    assert "nothing was written" in message
    assert "Line 4 (37081100100): A region code has exactly 12 digits." in message
    assert "Line 5 (370811002001)" in message and "370811002000" in message
    assert "Line 6 (370812001000): The code must start with the parent's code." in message
    assert "Line 8 (370811009001): The code must start with the parent's code." in message
    assert "Line 9 (370811004000): The name is empty." in message
    assert "Unknown level" in message
    for good_line in ("Line 2 ", "Line 3 ", "Line 7 "):
        assert good_line not in message
    assert Region.objects.count() == 0
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_level_mismatch_and_duplicates_are_reported(tmp_path):
    run(SHIPPED)
    path = write(tmp_path, (
        "code,name,level,parent\n"
        "370811001000,济阳街道,township,370811000000\n"
        "370811001000,济阳街道,township,370811000000\n"
        "370811001001,东关社区,township,370811000000\n"       # a village code given as a township
        "370811000000,任城区,village,370811001000\n"         # an existing county re-levelled
    ))

    with pytest.raises(CommandError) as caught:
        run(path)

    message = str(caught.value)
    assert "Line 3 (370811001000): The code 370811001000 is also on line 2." in message
    assert "Line 4 (370811001001)" in message
    assert "Line 5 (370811000000)" in message
    assert Region.objects.count() == 12


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    out = run(SHIPPED, "--dry-run")

    assert "Would create 12" in out
    assert Region.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "File not found"),
        (b"", "is empty"),
        (b"code,name,level\n", "lacks the column(s) parent"),
        (b"code,name,level,parent,remark\n", "unknown column(s) remark"),
        ("code,name,level,parent\n".encode("gbk") + "济宁市".encode("gbk"), "not UTF-8"),
    ],
)
def test_unreadable_files_are_refused_clearly(tmp_path, content, expected):
    path = tmp_path / "regions.csv"
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(CommandError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        run(path)


@pytest.mark.django_db
def test_a_line_with_too_many_values_is_an_error(tmp_path):
    path = write(tmp_path, "code,name,level,parent\n370800000000,济宁市,city,,extra\n")

    with pytest.raises(CommandError, match="Line 2 .*5 values but the header has 4 columns"):
        run(path)
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_an_empty_unnamed_trailing_column_is_tolerated(tmp_path):
    path = write(tmp_path, "code,name,level,parent,\n370800000000,济宁市,city,,\n370811000000,任城区,county,370800000000,x\n")

    with pytest.raises(CommandError) as caught:
        run(path)

    assert "Line 3 (370811000000): This line has a value under a column without a header." in str(caught.value)
    assert "Line 2" not in str(caught.value)
