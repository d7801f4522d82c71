# An open task's deadline names the task's owner. A step completed on an unclaimed task
# that the step kept open (a payment waiting for the reserve fund) took the task without
# naming its owner on the deadline: the queue showed it unassigned, completing it was
# refused to everyone else, and "money arrived" went to every caseworker of the township.
# The engine now names the owner; this gives the deadlines left behind their owner.

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery

OPEN_TASK_STATUSES = ["NEW", "ASSIGNED", "STARTED"]


def name_the_owner(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Deadline = apps.get_model("deadlines", "Deadline")
    Task = apps.get_model("viewflow", "Task")
    task_type = ContentType.objects.filter(app_label="viewflow", model="task").first()
    if task_type is None:
        return
    owner = Task.objects.filter(pk=OuterRef("subject_id"), status__in=OPEN_TASK_STATUSES, owner__isnull=False)
    (Deadline.objects.filter(subject_type=task_type, assignee__isnull=True).exclude(status="closed")
     .filter(Exists(owner)).update(assignee=Subquery(owner.values("owner_id")[:1])))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("viewflow", "0015_task_scheduled"),
        ("deadlines", "0004_queue_indexes_cover_their_counts"),
    ]

    operations = [migrations.RunPython(name_the_owner, migrations.RunPython.noop)]
