"""Rate-limit counts in the database, shared by every worker and host (they were in each worker's cache)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("licenses", "0007_site_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=80, unique=True)),
                ("count", models.PositiveIntegerField(default=0)),
                (
                    "expires",
                    models.BigIntegerField(db_index=True, help_text="Unix time after which the row is no longer read."),
                ),
            ],
        ),
    ]
