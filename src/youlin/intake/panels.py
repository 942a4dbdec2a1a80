"""The intake panel on the case page: for a case waiting for its category (待分拣), the three suggested categories,
each one click away from the ``correct`` step."""

from youlin.cases.models import Triage
from youlin.cases.panels import Panel, register
from youlin.intake.selectors import suggest


def _context(request, case, manager: bool) -> dict | None:
    if not manager or case.triage != Triage.CATEGORY or not case.is_open:
        return None
    result = suggest(case.description, top=3)  # no point: the case's place is settled by the correct step
    return {"case": case, "result": result}


register(Panel("intake", "intake/partials/case_triage.html", _context, order=5))
