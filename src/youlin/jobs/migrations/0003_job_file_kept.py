"""Whether a job holds its file (see ``Job``): the jobs whose file is gone (succeeded) say so."""

from django.db import migrations, models


def mark(apps, schema_editor):
    apps.get_model("jobs", "Job").objects.filter(content=b"").update(file_kept=False)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_succeeded_jobs_drop_their_files")]

    operations = [
        migrations.AddField(
            model_name="job",
            name="file_kept",
            field=models.BooleanField(default=True, editable=False, verbose_name="保留原文件"),
        ),
        migrations.RunPython(mark, migrations.RunPython.noop),
    ]
