"""Cases (诉求): the closed loop from report to evaluation, its timeline, categories and routing rules.

Rows here hold data and single-row invariants only. Every change of a case goes through ``services``, which
checks the transition, the actor and the version, and writes a ``CaseEvent`` in the same transaction.

A package by subject; every name is re-exported here (``from youlin.cases.models import Case``)."""

from youlin.cases.models.case import (  # noqa: F401
    CLOSED_STATUSES,
    MASKED_REPORTER_CHANNELS,
    OPEN_STATUSES,
    AppendOnlyError,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseEventQuerySet,
    CaseExtension,
    CaseFollower,
    CaseNumberCounter,
    CasePhoto,
    CaseSupport,
    Channel,
    EventKind,
    FollowUpVisit,
    Satisfaction,
    Status,
    SupervisionLevel,
    Triage,
)
from youlin.cases.models.categories import (  # noqa: F401
    Category,
    CategoryTimeLimit,
    TimeUnit,
    Urgency,
    WorkdayOverride,
)
from youlin.cases.models.routing import (  # noqa: F401
    PlaceKind,
    RoutingRevision,
    RoutingRule,
)
from youlin.cases.models.updates import (  # noqa: F401
    CaseUpdate,
    CaseUpdateFlag,
    CaseUpdateModeration,
)
