"""Jobs that succeeded no longer keep their file (see ``Job``): drop the files kept before."""

from django.db import migrations


def drop_files(apps, schema_editor):
    apps.get_model("jobs", "Job").objects.filter(status="succeeded").exclude(content=b"").update(content=b"")


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(drop_files, migrations.RunPython.noop)]
