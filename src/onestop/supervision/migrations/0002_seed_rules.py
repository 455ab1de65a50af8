"""The 监察规则 of DOMAIN §6.4, as data (a supervisor may change parameters or switch one off).

The list is ``supervision/seed.py``, which ``services.rules_ensure`` reads as well.
"""

from django.db import migrations

from onestop.supervision.seed import RULES


def seed(apps, schema_editor):
    Rule = apps.get_model("supervision", "SupervisionRule")
    for code, name, kind, trigger, parameters, active, note in RULES:
        Rule.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "trigger": trigger,
                "parameters": parameters,
                "is_active": active,
                "note": note,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "SupervisionRule").objects.filter(
        code__in=[r[0] for r in RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
