"""JC-JC-03 (未超期但环节超时) checks the 制证 step too.

Only a rule still as migration 0002 seeded it is changed: a supervisor who edited its
steps chose them, and keeps them (add ``certificate`` in the admin to check 制证 there).
"""

from django.db import migrations

CODE = "JC-JC-03"
OLD_STEPS = ["accept", "review", "decision", "delivery"]
NEW_STEPS = ["accept", "review", "decision", "certificate", "delivery"]
OLD_NOTE = (
    "受理、审查、决定、送达各环节按事项办理流程的环节时限计；环节起止由办件事件推得"
    "（见 docs/supervision.md）。办件本身已超期时由 JC-JC-01 代替。"
)
NEW_NOTE = (
    "受理、审查、决定、制证、送达各环节按事项办理流程的环节时限计；环节起止由办件事件"
    "（制证：子件决定至其证照、决定书签发）推得（见 docs/supervision.md）。"
    "办件本身已超期时由 JC-JC-01 代替。"
)


def _swap(apps, old_steps, new_steps, old_note, new_note):
    Rule = apps.get_model("supervision", "SupervisionRule")
    rule = Rule.objects.filter(code=CODE).first()
    if rule is None or (rule.parameters or {}).get("steps") != old_steps:
        return
    rule.parameters = {**rule.parameters, "steps": new_steps}
    if rule.note == old_note:
        rule.note = new_note
    rule.save(update_fields=["parameters", "note"])


def forward(apps, schema_editor):
    _swap(apps, OLD_STEPS, NEW_STEPS, OLD_NOTE, NEW_NOTE)


def backward(apps, schema_editor):
    _swap(apps, NEW_STEPS, OLD_STEPS, NEW_NOTE, OLD_NOTE)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_order_log_append_only")]

    operations = [migrations.RunPython(forward, backward)]
