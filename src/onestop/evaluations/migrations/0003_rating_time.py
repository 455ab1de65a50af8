"""An index on the rating time: the month and quarter figures (the ranking, the public page)
read a time range of every region."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0002_indicators_2020"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="rating",
            index=models.Index(fields=["rated_at"], name="rating_time"),
        ),
    ]
