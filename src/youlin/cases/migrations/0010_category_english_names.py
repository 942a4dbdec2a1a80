"""English names of the categories and their major classes, filled from the shipped data file."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from youlin.cases.categories import upsert_categories

    upsert_categories(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_hotline_work_orders")]

    operations = [
        migrations.AddField(
            model_name="category",
            name="major_en",
            field=models.CharField(blank=True, max_length=64, verbose_name="大类（英文）"),
        ),
        migrations.AddField(
            model_name="category",
            name="name_en",
            field=models.CharField(blank=True, max_length=100, verbose_name="名称（英文）"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
