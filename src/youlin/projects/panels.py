"""The projects panel on the case page: the projects the case is part of, with a link to each one's public page;
on the public tracking page, the public links only."""

from youlin.cases.panels import Panel, register
from youlin.projects.selectors import project_for, projects_for_case


def _context(request, case, manager: bool) -> dict | None:
    projects = projects_for_case(case)
    if not projects:
        return None
    # The project's own page for those who may open it; everyone has its public page.
    internal = {p.pk for p in projects if project_for(request.user, p.pk)[0] is not None}
    return {"projects": projects, "public": False, "internal": internal}


def _public_context(request, case) -> dict | None:
    projects = projects_for_case(case)
    return {"projects": projects, "public": True} if projects else None


register(
    Panel(
        "projects",
        "projects/partials/case_projects.html",
        _context,
        order=20,
        public_context=_public_context,
        public_template="projects/partials/case_projects.html",
    )
)
