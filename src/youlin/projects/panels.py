"""The projects panel on the case page: the projects the case is part of, with a link to each one's public page;
on the public tracking page, the public links only."""

from youlin.cases.panels import Panel, register
from youlin.projects.selectors import projects_for_case


def _context(request, case, manager: bool) -> dict | None:
    projects = projects_for_case(case)
    return {"projects": projects, "public": False} if projects else None


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
