"""The indicator set in force: 二级 indicators for online and on-site service (DOMAIN.md §1.4).

Codes are ours (the national code table of ``evalDetail`` was not found): 1xx online,
2xx on-site. A later version is a new migration adding a set and making it current.
"""

from django.db import migrations

from onestop.evaluations.seed import indicator_set_2020


def seed(apps, schema_editor):
    indicator_set_2020(
        apps.get_model("evaluations", "IndicatorSet"), apps.get_model("evaluations", "Indicator")
    )


def unseed(apps, schema_editor):
    apps.get_model("evaluations", "Indicator").objects.filter(
        indicator_set__version="2020.1"
    ).delete()
    apps.get_model("evaluations", "IndicatorSet").objects.filter(version="2020.1").delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
