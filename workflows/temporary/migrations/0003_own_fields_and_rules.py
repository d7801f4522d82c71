"""Temporary assistance's own fields (kind, cause category, repeat of, new cause, local
registration, filed at) leave the shared case for this program's details table, one row
per case, copied here; its rule tables (township limit, amount bands) become this app's
models over the same tables. The shared case drops the columns in assistance 0007."""

import django.db.models.deletion
from django.db import migrations, models

OWN = ("kind", "cause_category", "repeat_of_id", "new_cause", "local_registration", "filed_at")


def copy_own_fields(apps, schema_editor):
    Application = apps.get_model("assistance", "Application")
    Details = apps.get_model("temporary", "TemporaryDetails")
    rows = Application.objects.filter(program="temporary").values_list("id", *OWN).order_by("id")
    batch = []
    for row in rows.iterator(chunk_size=5000):
        batch.append(Details(case_id=row[0], **dict(zip(OWN, row[1:], strict=True))))
        if len(batch) == 5000:
            Details.objects.bulk_create(batch)
            batch = []
    Details.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    Application = apps.get_model("assistance", "Application")
    Details = apps.get_model("temporary", "TemporaryDetails")
    for details in Details.objects.all().iterator(chunk_size=5000):
        Application.objects.filter(pk=details.case_id).update(**{name: getattr(details, name) for name in OWN})


class Migration(migrations.Migration):

    dependencies = [
        ('assistance', '0006_instalment_source_choices'),
        ('temporary', '0002_carry_flow_paths_and_permissions'),
    ]

    operations = [
        # The tables exist (made by assistance 0001): only the models move here.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='AmountBand',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('scope', models.CharField(blank=True, default='', help_text='Empty: everywhere; or a 2-, 4- or 6-digit region prefix (province, city, county).', max_length=6, verbose_name='region prefix')),
                    ('effective_from', models.DateField(verbose_name='effective from')),
                    ('cause_category', models.CharField(choices=[('major_illness', 'Major illness'), ('school', 'School costs'), ('minor_emergency', 'Minor emergency'), ('fire', 'Fire'), ('accident', 'Accident'), ('disaster', 'Natural disaster'), ('major_hardship', 'Major hardship (case by case)'), ('other', 'Other')], max_length=20, verbose_name='cause category')),
                    ('min_multiple', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='at least × dibao standard')),
                    ('max_multiple', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='at most × dibao standard')),
                    ('max_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='at most (yuan)')),
                ],
                options={
                    'verbose_name': 'amount band',
                    'verbose_name_plural': 'amount bands',
                    'db_table': 'assistance_amountband',
                    'ordering': ['scope', 'cause_category', '-effective_from'],
                    'constraints': [models.UniqueConstraint(fields=('scope', 'cause_category', 'effective_from'), name='amount_band_once')],
                },
            ),
            migrations.CreateModel(
                name='AssistanceRule',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('scope', models.CharField(blank=True, default='', help_text='Empty: everywhere; or a 2-, 4- or 6-digit region prefix (province, city, county).', max_length=6, verbose_name='region prefix')),
                    ('effective_from', models.DateField(verbose_name='effective from')),
                    ('township_limit', models.DecimalField(decimal_places=2, help_text='Shandong: 3,000 yuan.', max_digits=14, verbose_name='township direct-approval limit (yuan)')),
                    ('repeat_period_days', models.PositiveIntegerField(default=365, verbose_name='repeat application period (days)')),
                    ('max_instalments', models.PositiveSmallIntegerField(default=6, verbose_name='most instalments per approval')),
                ],
                options={
                    'verbose_name': 'temporary-assistance rule',
                    'verbose_name_plural': 'temporary-assistance rules',
                    'db_table': 'assistance_assistancerule',
                    'ordering': ['scope', '-effective_from'],
                    'constraints': [models.UniqueConstraint(fields=('scope', 'effective_from'), name='assistance_rule_once')],
                },
            ),
        ]),
        migrations.CreateModel(
            name='TemporaryDetails',
            fields=[
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='temporary', serialize=False, to='assistance.application')),
                ('kind', models.CharField(blank=True, choices=[('urgent', 'Urgent (sudden hardship)'), ('expense', 'Expense (unavoidable spending)')], max_length=8, verbose_name='kind')),
                ('cause_category', models.CharField(choices=[('major_illness', 'Major illness'), ('school', 'School costs'), ('minor_emergency', 'Minor emergency'), ('fire', 'Fire'), ('accident', 'Accident'), ('disaster', 'Natural disaster'), ('major_hardship', 'Major hardship (case by case)'), ('other', 'Other')], default='other', max_length=20, verbose_name='cause category')),
                ('new_cause', models.TextField(blank=True, verbose_name='new cause (for a repeat application)')),
                ('local_registration', models.BooleanField(default=True, verbose_name='local registration or residence permit')),
                ('filed_at', models.DateTimeField(blank=True, null=True, verbose_name='filed with the county at')),
                ('repeat_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='assistance.application', verbose_name='repeats application')),
            ],
            options={
                'verbose_name': 'temporary-assistance details',
                'verbose_name_plural': 'temporary-assistance details',
                'indexes': [models.Index(fields=['cause_category'], name='temporary_cause_idx')],
            },
        ),
        migrations.RunPython(copy_own_fields, copy_back),
    ]
