"""The replenishment flow became its own folder app (label ``replenishment``): viewflow
stores each process's flow and each task's node as "<app label>/<module path>"."""

from django.db import migrations

OLD_FLOW = "workflows/replenishment.flows.ReplenishmentFlow"
NEW_FLOW = "replenishment/flows.ReplenishmentFlow"


def _move(old_flow, new_flow):
    def run(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            # Raw SQL: viewflow's reference fields would import the flow to read a value.
            cursor.execute("UPDATE viewflow_process SET flow_class = %s WHERE flow_class = %s", [new_flow, old_flow])
            cursor.execute("UPDATE viewflow_task SET flow_task = %s || substr(flow_task, %s) WHERE flow_task LIKE %s",
                           [new_flow, len(old_flow) + 1, old_flow + ".%"])
    return run


class Migration(migrations.Migration):
    dependencies = [("viewflow", "0015_task_scheduled")]
    operations = [migrations.RunPython(_move(OLD_FLOW, NEW_FLOW), _move(NEW_FLOW, OLD_FLOW))]
