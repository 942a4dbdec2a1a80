"""Reads about cases that encode a rule: routing, duplicates and recurrence, visibility, and the measures.

A package by subject; every name is re-exported here, so callers import ``youlin.cases.selectors``."""

from youlin.cases.selectors.limits import (  # noqa: F401
    TimeLimit,
    category_time_limit,
)
from youlin.cases.selectors.lists import (  # noqa: F401
    case_list,
    case_timeline,
    cases_visible,
    new_cases_in,
    overdue_cases,
)
from youlin.cases.selectors.measures import (  # noqa: F401
    BASICALLY_SATISFIED_WEIGHT,
    DEFAULT_WEIGHTS,
    GROUPS,
    Measures,
    MeasuresBreakdown,
    _measure_aggregates,
    case_measures,
    case_measures_breakdown,
    case_measures_series,
)
from youlin.cases.selectors.nearby import (  # noqa: F401
    Hotspot,
    _box,
    _within,
    distance_m,
    nearby_open_cases,
    recently_closed_nearby,
    recurrence_hotspots,
    recurrence_root,
)
from youlin.cases.selectors.offers import (  # noqa: F401
    CasePhotos,
    StepOffer,
    SupervisedCase,
    available_actions,
    case_audience,
    case_photo_pairs,
    case_photos_for,
    cases_due_for_supervision,
    followers_of,
    is_following,
    member_user_ids,
    pending_extension,
    pending_extensions,
    reroute_choices,
    supervised_cases,
    supervision_audience,
    supervision_counts,
)
from youlin.cases.selectors.pages import (  # noqa: F401
    active_category,
    active_matter,
    building_choices,
    building_point,
    case_assignments,
    case_by_number,
    case_by_token,
    case_list_choices,
    category_by_code,
    category_groups,
    open_overdue_count,
    task_sections,
)
from youlin.cases.selectors.routing import (  # noqa: F401
    _PLACE_RANK,
    Routing,
    _offices,
    _parties,
    _rule_fits,
    applicable_rules,
    place_kinds,
    route,
    urban_management_offices,
)
