"""Smart intake: the top categories for a complaint's text and, with a point, who would get the case. Public,
like the resident's report page; POSTs count against the rate limits like every other."""

from __future__ import annotations

from ninja import Field, Router, Schema

from youlin.api import auth
from youlin.api.errors import ERRORS
from youlin.intake.selectors import MAX_TOP, suggest

router = Router(tags=["intake"])


class IntakeSuggestIn(Schema):
    text: str = Field(max_length=20000, description="The complaint as typed or transcribed (any length up to 20,000).")
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    crs: str = Field("wgs84", pattern=r"^(wgs84|gcj02)$", description="gcj02: coordinates from a phone map in China")
    top: int = Field(3, ge=1, le=MAX_TOP)
    parties: str = Field(
        "first", pattern=r"^(first|all)$", description="with a point: route the first suggestion, or all of them"
    )


class IntakeOrganisationOut(Schema):
    id: int
    name: str


class IntakePartyOut(Schema):
    organisations: list[IntakeOrganisationOut]
    names: str
    duty: str
    duty_label: str
    joint: bool = Field(description="several organisations share the place: a joint dispatch")
    fallback: bool = Field(description="no rule found anyone: the urban-management office")


class IntakeSuggestionOut(Schema):
    category_id: int | None
    kind: str
    code: str
    name: str
    score: float = Field(description="0–1: the classifier's probability blended with the term table")
    reason: list[str] = Field(description="the words of the text that led to this category")
    party: IntakePartyOut | None


class IntakeSuggestOut(Schema):
    suggestions: list[IntakeSuggestionOut]
    party: IntakePartyOut | None = Field(description="who would get the case under the first suggestion")
    place: str
    place_error: str
    confident: bool = Field(description="the first suggestion reaches YOULIN_INTAKE_MIN_CONFIDENCE")


@router.post("/intake/suggest", response={200: IntakeSuggestOut, **ERRORS}, auth=auth.optional)
def intake_suggest(request, payload: IntakeSuggestIn):
    """Suggested categories for a text, best first (none for empty or meaningless text). With ``lon`` and
    ``lat`` the first suggestion (``parties: "all"``: each) names the party the routing rules would choose."""
    return suggest(
        payload.text, lon=payload.lon, lat=payload.lat, top=payload.top, crs=payload.crs, parties=payload.parties
    ).as_dict()
