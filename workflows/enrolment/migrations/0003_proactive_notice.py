"""The letters telling a household that qualifies, but has not applied, that it may (救助主动告知)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enrolment', '0002_national_rules'),
        ('registry', '0007_duplicate_registration'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ProactiveNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('program', models.CharField(choices=[('dibao', 'Minimum living guarantee'), ('tekun', 'Extreme-poverty support')], max_length=12, verbose_name='program')),
                ('region_code', models.CharField(db_index=True, max_length=12, verbose_name='region code')),
                ('means', models.JSONField(default=dict, verbose_name='means test')),
                ('content', models.BinaryField(verbose_name='PDF')),
                ('sha256', models.CharField(editable=False, max_length=64, verbose_name='SHA-256')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='issued by')),
                ('household', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='proactive_notices', to='registry.household', verbose_name='household')),
            ],
            options={
                'verbose_name': 'proactive notice',
                'verbose_name_plural': 'proactive notices',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['household', 'program', 'created_at'], name='proactive_notice_household_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('program__in', ['dibao', 'tekun'])), name='proactive_notice_program_valid')],
            },
        ),
    ]
