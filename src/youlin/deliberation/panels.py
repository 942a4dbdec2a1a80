"""The deliberation panel on the case page: meetings the case was on, resolutions with their action items, and
the button to convene a meeting when the case needs one. On the public tracking page: the public notices of
those meetings."""

from youlin.cases.panels import Panel, register
from youlin.deliberation.selectors import meetings_for_case, notices_for_case, resolutions_for_case


def _context(request, case, manager: bool) -> dict:
    return {
        "case": case,
        "meetings": meetings_for_case(case),
        "resolutions": resolutions_for_case(case),
        "notices": notices_for_case(case),
        "can_convene": case.needs_deliberation and case.is_open and manager,
    }


def _public_context(request, case) -> dict | None:
    notices = notices_for_case(case)
    return {"notices": notices} if notices else None


register(
    Panel(
        "deliberation",
        "deliberation/partials/case_meetings.html",
        _context,
        order=10,
        public_context=_public_context,
        public_template="deliberation/partials/case_notices.html",
    )
)
