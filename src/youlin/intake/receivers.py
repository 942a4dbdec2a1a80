"""What intake hears from the case loop: staff correcting a case's category teaches the next training."""

from youlin.intake.services import correction_record


def on_category_corrected(sender, *, case, old_category, new_category, actor, **kwargs) -> None:
    correction_record(actor=actor, case=case, old_category=old_category, new_category=new_category)
