"""Panels that apps built on the case loop add to the case page (deliberation shows its meetings, for example).

The case loop never imports what is built on it: each such app keeps a ``panels.py`` module that calls
``register``; this module imports those modules the first time the case page asks for panels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    # (request, case, manager) → the template's context, or None when the panel has nothing to show. Not called
    # on the reporter's public tracking page: panels are for people who work on the case.
    context: Callable[[Any, Any, bool], dict | None]
    order: int = 100
    # What the panel shows on the public tracking page, if anything: (request, case) → context or None, rendered
    # with ``public_template``. It must hold nothing that is not public (links to public pages, no names).
    public_context: Callable[[Any, Any], dict | None] | None = None
    public_template: str = ""


_panels: dict[str, Panel] = {}
_discovered = False


def register(panel: Panel) -> None:
    _panels[panel.name] = panel


def registered() -> list[Panel]:
    global _discovered
    if not _discovered:
        autodiscover_modules("panels")
        _discovered = True
    return sorted(_panels.values(), key=lambda p: (p.order, p.name))


def for_case(request, case, *, manager: bool, public: bool = False) -> list[str]:
    """The HTML of each panel with something to show for this case, in order; on the public tracking page, only
    the panels' public parts."""
    shown = []
    for panel in registered():
        if public:
            if panel.public_context is None:
                continue
            context, template = panel.public_context(request, case), panel.public_template
        else:
            context, template = panel.context(request, case, manager), panel.template
        if context is not None:
            shown.append(render_to_string(template, context, request=request))
    return shown
