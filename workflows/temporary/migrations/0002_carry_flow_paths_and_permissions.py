"""Temporary assistance became its own program folder (app label ``temporary``):

- viewflow stores each process's flow and each task's node as "<app label>/<module path>";
  the flow moved from the ``workflows`` app's "temporary.flows" to this app's "flows";
- its steps' permissions moved from the shared case (assistance.*) to this program's
  proxy (temporary.*): tasks store the permission they need, and groups or users
  holding an old one get the new one before the old is removed.
"""

from django.db import migrations

OLD_FLOW = "workflows/temporary.flows.TemporaryAssistanceFlow"
NEW_FLOW = "temporary/flows.TemporaryAssistanceFlow"
CODENAMES = ["do_intake", "investigate", "pay_first", "township_approve", "county_approve", "disburse",
             "file_with_county"]


def forward(apps, schema_editor):
    _move(apps, schema_editor, OLD_FLOW, NEW_FLOW, "assistance", "temporary")


def backward(apps, schema_editor):
    _move(apps, schema_editor, NEW_FLOW, OLD_FLOW, "temporary", "assistance")


def _move(apps, schema_editor, old_flow, new_flow, old_app, new_app):
    with schema_editor.connection.cursor() as cursor:
        # Raw SQL: viewflow's reference fields would import the flow to read a value.
        cursor.execute("UPDATE viewflow_process SET flow_class = %s WHERE flow_class = %s", [new_flow, old_flow])
        cursor.execute("UPDATE viewflow_task SET flow_task = %s || substr(flow_task, %s) WHERE flow_task LIKE %s",
                       [new_flow, len(old_flow) + 1, old_flow + ".%"])
        for codename in CODENAMES:
            cursor.execute("UPDATE viewflow_task SET owner_permission = %s WHERE owner_permission = %s",
                           [f"{new_app}.{codename}", f"{old_app}.{codename}"])

    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("staff", "User")
    models = {"assistance": "application", "temporary": "temporarycase"}
    new_type, _created = ContentType.objects.get_or_create(app_label=new_app, model=models[new_app])
    for codename in CODENAMES:
        old = Permission.objects.filter(content_type__app_label=old_app, codename=codename).first()
        if old is None:
            continue
        new, _created = Permission.objects.get_or_create(content_type=new_type, codename=codename,
                                                         defaults={"name": old.name})
        for group in Group.objects.filter(permissions=old):
            group.permissions.add(new)
        for user in User.objects.filter(user_permissions=old):
            user.user_permissions.add(new)
        old.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("temporary", "0001_temporary_case"),
        ("viewflow", "0015_task_scheduled"),
        ("staff", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(forward, backward)]
