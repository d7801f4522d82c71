"""Temporary assistance's own fields and rule tables move to its program folder (the
``temporary`` app): its migration 0003 created the details table, copied the columns
there and took over the rule tables as they are (same tables, no copy). This one drops
the columns from the shared case and forgets the rule models here."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assistance', '0006_instalment_source_choices'),
        ('temporary', '0003_own_fields_and_rules'),
    ]

    operations = [
        # The tables stay: the temporary app's models use them now.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name='AmountBand'),
            migrations.DeleteModel(name='AssistanceRule'),
        ]),
        migrations.RemoveIndex(
            model_name='application',
            name='application_repeat_idx',
        ),
        migrations.RemoveField(
            model_name='application',
            name='cause_category',
        ),
        migrations.RemoveField(
            model_name='application',
            name='filed_at',
        ),
        migrations.RemoveField(
            model_name='application',
            name='kind',
        ),
        migrations.RemoveField(
            model_name='application',
            name='local_registration',
        ),
        migrations.RemoveField(
            model_name='application',
            name='new_cause',
        ),
        migrations.RemoveField(
            model_name='application',
            name='repeat_of',
        ),
        migrations.AddIndex(
            model_name='application',
            index=models.Index(fields=['household', 'created_at'], name='application_household_idx'),
        ),
    ]
