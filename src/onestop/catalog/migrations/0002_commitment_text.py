from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="packageversion",
            name="commitment_text",
            field=models.TextField(
                blank=True,
                help_text="申请人以告知承诺代替材料时签署的承诺内容；留空则使用默认文本。",
                verbose_name="告知承诺书",
            ),
        ),
        migrations.AddField(
            model_name="serviceitemversion",
            name="commitment_text",
            field=models.TextField(
                blank=True,
                help_text="申请人以告知承诺代替材料时签署的承诺内容；留空则使用默认文本。",
                verbose_name="告知承诺书",
            ),
        ),
    ]
