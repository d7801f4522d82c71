# The two queue indexes include the columns their counts filter on, so a queue's count is
# an index-only scan. Built before the old ones are dropped, and without locking the table
# on PostgreSQL (core.migration_operations): the queues are never without an index.

from django.conf import settings
from django.db import migrations, models

from core.migration_operations import AddIndexWithoutLocking, RemoveIndexWithoutLocking


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('deadlines', '0003_closed_tally_and_covering_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name='deadline',
            index=models.Index(condition=models.Q(('status', 'closed'), _negated=True), fields=['assignee', 'due_at'], include=('region_code', 'subject_type'), name='deadline_mine_idx'),
        ),
        AddIndexWithoutLocking(
            model_name='deadline',
            index=models.Index(condition=models.Q(models.Q(('status', 'closed'), _negated=True), ('assignee__isnull', True)), fields=['role', 'region_code', 'due_at'], include=('subject_type',), name='deadline_unclaimed_idx'),
        ),
        RemoveIndexWithoutLocking(
            model_name='deadline',
            name='deadline_open_assignee_idx',
        ),
        RemoveIndexWithoutLocking(
            model_name='deadline',
            name='deadline_queue_idx',
        ),
    ]
