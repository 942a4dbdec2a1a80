"""回访: staff callbacks and the reporter's own rating; the 三率 from these answers only."""

from datetime import timedelta

import pytest
from django.urls import reverse

from youlin.cases import services
from youlin.cases.errors import CaseError, CaseErrorCode
from youlin.cases.models import Channel, EventKind, FollowUpVisit, Status
from youlin.cases.selectors import case_measures
from youlin.cases.tests import factories as f

pytestmark = pytest.mark.django_db


def closed(users, **extra):
    case = f.register(users.spk_resident, channel=Channel.RESIDENT, **extra)
    return f.walk(case, staff=users.spk_staff, handler=users.tyh_property, grid_worker=users.spk_grid)


def call(users, case, **answers):
    return services.case_follow_up(actor=users.spk_staff, case=case, expected_version=case.version, **answers)


def test_a_call_that_does_not_reach_the_caller_is_an_attempt(users, clock):
    case = closed(users)
    case = call(users, case, reached=False, note="无人接听")
    assert case.status == Status.CLOSED and case.evaluated_at is None and case.responded is None
    (visit,) = FollowUpVisit.objects.filter(case=case)
    assert not visit.reached and visit.satisfaction == "" and visit.event.kind == EventKind.FOLLOW_UP_ATTEMPTED
    case = call(users, case, reached=True, responded=True, resolved=False, satisfaction="basically_satisfied")
    assert case.status == Status.EVALUATED
    assert (case.responded, case.resolved, case.satisfaction) == (True, False, "basically_satisfied")
    assert FollowUpVisit.objects.filter(case=case).count() == 2


def test_a_reached_call_needs_all_three_answers_and_only_staff_call(users, clock):
    case = closed(users)
    with pytest.raises(CaseError) as err:
        call(users, case, reached=True, responded=True, satisfaction="satisfied")
    assert (err.value.code, err.value.field) == (CaseErrorCode.INVALID_INPUT, "resolved")
    with pytest.raises(CaseError) as err:
        services.case_follow_up(actor=users.tyh_property, case=case, expected_version=case.version, reached=False)
    assert err.value.code == CaseErrorCode.PERMISSION_DENIED
    assert not FollowUpVisit.objects.exists()


def test_the_three_answers_are_the_callers_not_derived_from_one_another(users, clock):
    case = closed(users)
    case = services.case_evaluate(
        actor=users.spk_resident,
        case=case,
        expected_version=case.version,
        responded=False,
        resolved=True,
        satisfaction="dissatisfied",
    )
    assert (case.responded, case.resolved, case.satisfaction) == (False, True, "dissatisfied")
    assert FollowUpVisit.objects.get(case=case).channel == FollowUpVisit.Channel.SELF


def test_three_rates_of_a_hand_counted_set_of_visits(users, clock):
    """P: an attempt, then reached (not contacted, not resolved, 不满意), then reopened: still counts.
    Q: the reporter's own rating (contacted, not resolved, 基本满意).
    R: closed, never visited.  S: closed, only an attempt.
    Visits 2 (P, Q); 未回访 2 (R, S); 响应率 1/2; 解决率 0/2; 满意率 (0 + 0.9) / 2;
    综合得分 10 × 0.5 + 50 × 0 + 40 × 0.45 = 23."""
    start = clock.now
    p, q, r, s = (closed(users) for _ in range(4))
    p = call(users, p, reached=False)
    p = call(users, p, reached=True, responded=False, resolved=False, satisfaction="dissatisfied")
    p = services.case_reopen(actor=users.spk_staff, case=p, expected_version=p.version, reason="回访不满意，重新派遣")
    q = services.case_evaluate(
        actor=users.spk_resident,
        case=q,
        expected_version=q.version,
        responded=True,
        resolved=False,
        satisfaction="basically_satisfied",
    )
    s = call(users, s, reached=False)
    m = case_measures(start=start, end=start + timedelta(days=30))
    assert (m.visit_count, m.unvisited_count) == (2, 2)
    assert m.response_rate == pytest.approx(0.5)
    assert m.resolution_rate == pytest.approx(0.0)
    assert m.satisfaction_rate == pytest.approx(0.45)
    assert m.score == pytest.approx(23.0)


def test_with_no_visit_the_rates_are_a_dash_and_the_unvisited_are_counted(client, users, clock):
    start = clock.now
    closed(users)
    m = case_measures(start=start, end=start + timedelta(days=30))
    assert (m.visit_count, m.unvisited_count) == (0, 1)
    assert m.response_rate is None and m.resolution_rate is None and m.satisfaction_rate is None and m.score is None
    client.force_login(users.spk_staff)
    day = start.date().isoformat()
    page = client.get(reverse("cases:measures"), {"start": day, "end": day}).content.decode()
    assert 'data-testid="response-rate">—<' in page and 'data-testid="score">—<' in page
    assert "未回访 1" in page


def test_follow_up_through_the_page_and_the_api(client, users, clock):
    case = closed(users)
    client.force_login(users.spk_staff)
    url = reverse("cases:act", args=[case.number, "follow_up"])
    refused = client.post(
        url, {"follow_up-expected_version": case.version, "follow_up-reached": "1", "follow_up-channel": "phone"}
    )
    assert refused.status_code == 400 and "已接通的回访请回答这一项" in refused.content.decode()
    done = client.post(
        url,
        {
            "follow_up-expected_version": case.version,
            "follow_up-reached": "1",
            "follow_up-channel": "phone",
            "follow_up-responded": "1",
            "follow_up-resolved": "0",
            "follow_up-satisfaction": "dissatisfied",
            "follow_up-note": "楼道仍有杂物",
        },
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.resolved, case.satisfaction) == (Status.EVALUATED, False, "dissatisfied")
    # Unresolved: the page offers to reopen it.
    assert 'data-action="reopen"' in client.get(reverse("cases:detail", args=[case.number])).content.decode()

    from youlin.api.services import token_create

    other = closed(users)
    _row, token = token_create(user=users.spk_staff, name="t")
    answer = client.post(
        f"/api/v1/cases/{other.number}/follow_up",
        {"expected_version": other.version, "reached": False},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200 and answer.json()["status"] == "closed"
    assert answer.json()["timeline"][-1]["kind"] == "follow_up_attempted"
