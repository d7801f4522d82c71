from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = [("assistance", "0006_instalment_source_choices")]
    operations = [
        migrations.CreateModel(
            name="SampleCase",
            fields=[],
            options={"proxy": True, "indexes": [], "constraints": [],
                     "permissions": [("register_case", "Can register sample cases"),
                                     ("assess_case", "Can assess sample cases"),
                                     ("decide_case", "Can decide sample cases")]},
            bases=("assistance.application",),
        ),
    ]
