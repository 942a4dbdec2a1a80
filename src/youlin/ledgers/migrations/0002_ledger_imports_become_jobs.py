"""Ledger uploads move onto the generic job rows (``youlin.jobs``): each ``LedgerImport`` becomes a ``Job`` of
kind ``ledger_import`` (its ledger in ``params``), with its file, counts, report and times; then the old table
goes."""

from django.db import migrations


def forwards(apps, schema_editor):
    LedgerImport = apps.get_model("ledgers", "LedgerImport")
    Job = apps.get_model("jobs", "Job")
    jobs = []
    for old in LedgerImport.objects.select_related("ledger", "actor").order_by("pk").iterator():
        status = old.status
        jobs.append(
            Job(
                kind="ledger_import",
                actor_id=old.actor_id,
                actor_label=str(old.actor.username)[:100] if old.actor_id else "",
                community_id=old.ledger.community_id,
                filename=old.filename,
                content=old.content,
                params={"ledger": old.ledger_id},
                status=status,
                total_rows=old.total_rows,
                processed_rows=min(old.processed_rows, old.total_rows) if old.total_rows else 0,
                created_count=old.created_count,
                updated_count=old.updated_count,
                errors=old.errors,
                message=old.message,
                attempts=1 if status != "pending" else 0,
                started_at=old.created_at if status != "pending" else None,
                finished_at=old.finished_at,
            )
        )
    created = Job.objects.bulk_create(jobs, batch_size=500)
    # created_at is set on insert (auto_now_add): keep the upload's own time.
    olds = LedgerImport.objects.order_by("pk").values_list("created_at", flat=True)
    for job, at in zip(created, olds, strict=True):
        Job.objects.filter(pk=job.pk).update(created_at=at)


def backwards(apps, schema_editor):
    LedgerImport = apps.get_model("ledgers", "LedgerImport")
    Job = apps.get_model("jobs", "Job")
    for job in Job.objects.filter(kind="ledger_import").order_by("pk").iterator():
        if job.actor_id is None:
            continue  # the old table required an actor
        LedgerImport.objects.create(
            ledger_id=job.params["ledger"],
            actor_id=job.actor_id,
            filename=job.filename,
            content=job.content,
            status=job.status if job.status != "cancelled" else "failed",
            total_rows=job.total_rows,
            processed_rows=job.processed_rows,
            created_count=job.created_count,
            updated_count=job.updated_count,
            errors=job.errors,
            message=job.message,
            finished_at=job.finished_at,
        )
    Job.objects.filter(kind="ledger_import").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ledgers", "0001_initial"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="LedgerImport"),
    ]
