"""Every model of the product says who sees its rows, in its own app's ``rules.py``, or is known to need no rule."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

from youlin.access.policy import rule_for

# Rows no jurisdiction lists: reference data and bookkeeping (public or internal), a person's own records
# (read through their owner), and rows reached only through the case or entry they belong to.
WITHOUT_RULE = {
    "accounts.User": "identity; people are scoped through parties.Person",
    "places.District": "the whole deployment, public",
    "places.PlacesRevision": "bookkeeping of the place index",
    "photos.Photo": "reached through the case, entry or project photo that holds it",
    "notifications.Notification": "the recipient's own",
    "notifications.NotificationPreference": "the person's own",
    "notifications.NotificationDigest": "the person's own (bookkeeping of the daily digest)",
    "cases.Category": "public reference data",
    "cases.CaseNumberCounter": "bookkeeping of case numbers",
    "cases.RoutingRevision": "bookkeeping of the routing cache",
    "cases.WorkdayOverride": "the district's working-day calendar: public facts, edited by superusers only",
    "api.ApiToken": "the owner's own",
    "open311.ApiKey": "superusers only",
    "open311.Submission": "reached through its case",
    "scheduling.PeriodicClaim": "bookkeeping of the workers' shared schedule",
    "scheduling.WorkerHeartbeat": "bookkeeping of the workers' liveness",
}


def _has_rule(model) -> bool:
    try:
        rule_for(model)
    except LookupError:
        return False
    return True


def test_every_model_has_a_rule_or_is_known_to_need_none():
    models = [m for m in apps.get_models() if m.__module__.startswith("youlin.")]
    assert {m._meta.label for m in models if not _has_rule(m)} == set(WITHOUT_RULE)


def test_apps_register_their_rules_from_rules_py_not_inside_ready():
    # ``AppConfig.ready()`` calls ``rules.register_rules()`` and nothing more; the rules themselves stay in rules.py.
    for config in apps.get_app_configs():
        if not config.name.startswith("youlin."):
            continue
        source = (Path(config.path) / "apps.py").read_text()
        policy_imports = [
            node
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("youlin.access.policy")
        ]
        assert policy_imports == [], config.name
        if (Path(config.path) / "rules.py").exists():
            assert f"from {config.name}.rules import register_rules" in source, config.name
