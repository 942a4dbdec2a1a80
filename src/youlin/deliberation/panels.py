"""The deliberation panel on the case page: meetings the case was on, resolutions with their action items, and
the button to convene a meeting when the case needs one."""

from youlin.cases.panels import Panel, register
from youlin.deliberation.selectors import meetings_for_case, resolutions_for_case


def _context(request, case, manager: bool) -> dict:
    return {
        "case": case,
        "meetings": meetings_for_case(case),
        "resolutions": resolutions_for_case(case),
        "can_convene": case.needs_deliberation and case.is_open and manager,
    }


register(Panel("deliberation", "deliberation/partials/case_meetings.html", _context, order=10))
