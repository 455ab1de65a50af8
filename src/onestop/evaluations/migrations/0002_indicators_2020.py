"""The indicator set in force: 二级 indicators for online and on-site service (DOMAIN.md §1.4).

Codes are ours (the national code table of ``evalDetail`` was not found): 1xx online,
2xx on-site. A later version is a new migration adding a set and making it current.
"""

import datetime as dt

from django.db import migrations

INDICATORS = [
    ("101", "办事效率", "online"),
    ("102", "办事指南精确度", "online"),
    ("103", "办事便捷度", "online"),
    ("104", "平台操作性", "online"),
    ("201", "服务效率", "onsite"),
    ("202", "服务水平", "onsite"),
    ("203", "服务态度", "onsite"),
]


def seed(apps, schema_editor):
    IndicatorSet = apps.get_model("evaluations", "IndicatorSet")
    Indicator = apps.get_model("evaluations", "Indicator")
    indicator_set, created = IndicatorSet.objects.get_or_create(
        version="2020.1",
        defaults={
            "name": "政务服务好差评评价指标",
            "is_current": True,
            "valid_from": dt.date(2020, 12, 1),
        },
    )
    if created:
        Indicator.objects.bulk_create(
            Indicator(indicator_set=indicator_set, code=code, name=name, scope=scope, order=i)
            for i, (code, name, scope) in enumerate(INDICATORS)
        )


def unseed(apps, schema_editor):
    apps.get_model("evaluations", "Indicator").objects.filter(
        indicator_set__version="2020.1"
    ).delete()
    apps.get_model("evaluations", "IndicatorSet").objects.filter(version="2020.1").delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
