"""JC-JC-08 异地收件超期未转寄原件 (跨域通办, docs/cross_domain.md), seeded from seed.py."""

from django.db import migrations, models

from onestop.supervision.seed import RULES

CODE = "JC-JC-08"


def seed(apps, schema_editor):
    Rule = apps.get_model("supervision", "SupervisionRule")
    for code, name, kind, trigger, parameters, active, note in RULES:
        if code == CODE:
            Rule.objects.get_or_create(
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
    apps.get_model("supervision", "SupervisionRule").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0006_order_reminded_at")]

    operations = [
        migrations.AlterField(
            model_name="supervisionrule",
            name="trigger",
            field=models.CharField(
                choices=[
                    ("case_near_limit", "办件承诺时限即将到期"),
                    ("case_overdue", "办件超过承诺时限"),
                    ("task_near_limit", "子件办理时限即将到期"),
                    ("task_overdue", "子件超过办理时限"),
                    ("step_overdue", "办件未超期但环节超时"),
                    ("pre_review_overdue", "网上预审超期未处理"),
                    ("reason_missing", "不予受理、不予许可未说明理由"),
                    ("extension_unapproved", "延期未经首席审批员批准"),
                    ("fee_over_standard", "超标准收费"),
                    ("originals_forward_overdue", "异地收件超期未转寄原件"),
                ],
                max_length=32,
                verbose_name="触发条件",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
