from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = [("assistance", "0003_application_shared_by_programs")]
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
