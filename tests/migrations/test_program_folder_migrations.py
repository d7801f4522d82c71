"""The data migrations that made temporary assistance a program folder carry what an
existing installation holds: viewflow's stored flow paths and task permissions, the
step permissions of groups and users, and the case's own fields into its details table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("assistance", "0006_instalment_source_choices"), ("temporary", "0001_temporary_case")]
AFTER = [("assistance", "0007_own_fields_and_rules"), ("temporary", "0003_own_fields_and_rules")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_flow_paths_permissions_and_own_fields_are_carried(regions):
    old = migrate(BEFORE)
    try:
        Region = old.get_model("regions", "Region")
        User = old.get_model("staff", "User")
        Group = old.get_model("auth", "Group")
        Permission = old.get_model("auth", "Permission")
        ContentType = old.get_model("contenttypes", "ContentType")
        Household = old.get_model("registry", "Household")
        Person = old.get_model("registry", "Person")
        Application = old.get_model("assistance", "Application")

        village = Region.objects.get(code="370811001001")
        user = User.objects.create(username="old_cw", region=village)
        household = Household.objects.create(region=village, address="东关社区 1 号", registration="urban",
                                             created_by=user)
        person = Person.objects.create(household=household, name="王德明", id_number="370811194003150318",
                                       relation="head", birth_date="1940-03-15", gender="male")
        earlier = Application.objects.create(household=household, applicant=person, region_code=village.code,
                                             program="temporary", cause="住院", status="filed", created_by=user,
                                             kind="expense", cause_category="major_illness")
        case = Application.objects.create(household=household, applicant=person, region_code=village.code,
                                          program="temporary", cause="再次住院", status="intake", created_by=user,
                                          kind="urgent", cause_category="major_illness", repeat_of=earlier,
                                          new_cause="新的诊断", local_registration=False)
        old_type, _ = ContentType.objects.get_or_create(app_label="assistance", model="application")
        old_perm, _ = Permission.objects.get_or_create(content_type=old_type, codename="township_approve",
                                                       defaults={"name": "Can approve at the township"})
        group = Group.objects.create(name="old_heads")
        group.permissions.add(old_perm)
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO viewflow_process (flow_class, status, created, data) VALUES (%s, %s, %s, %s)",
                           ["workflows/temporary.flows.TemporaryAssistanceFlow", "NEW", "2026-03-02 09:00:00+00",
                            "{}"])
            process_id = cursor.lastrowid if connection.vendor == "sqlite" else None
            if process_id is None:
                cursor.execute("SELECT max(id) FROM viewflow_process")
                process_id = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO viewflow_task (process_id, flow_task, flow_task_type, status, created, token, "
                "owner_permission, data, external_task_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [process_id, "workflows/temporary.flows.TemporaryAssistanceFlow.township_approve", "HUMAN", "NEW",
                 "2026-03-02 09:00:00+00", "start", "assistance.township_approve", "{}", None])

        new = migrate(AFTER)

        Details = new.get_model("temporary", "TemporaryDetails")
        details = Details.objects.get(case_id=case.pk)
        assert (details.kind, details.cause_category, details.repeat_of_id, details.new_cause,
                details.local_registration) == ("urgent", "major_illness", earlier.pk, "新的诊断", False)
        assert Details.objects.get(case_id=earlier.pk).kind == "expense"
        with connection.cursor() as cursor:
            cursor.execute("SELECT flow_class FROM viewflow_process WHERE id = %s", [process_id])
            assert cursor.fetchone()[0] == "temporary/flows.TemporaryAssistanceFlow"
            cursor.execute("SELECT flow_task, owner_permission FROM viewflow_task WHERE process_id = %s",
                           [process_id])
            assert cursor.fetchone() == ("temporary/flows.TemporaryAssistanceFlow.township_approve",
                                         "temporary.township_approve")
        NewGroup = new.get_model("auth", "Group")
        held = set(NewGroup.objects.get(name="old_heads").permissions.values_list(
            "content_type__app_label", "codename"))
        assert held == {("temporary", "township_approve")}
        columns = [c.name for c in connection.introspection.get_table_description(connection.cursor(),
                                                                                   "assistance_application")]
        assert "kind" not in columns and "repeat_of_id" not in columns
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
