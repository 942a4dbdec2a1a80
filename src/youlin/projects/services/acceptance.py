"""The end of a project: acceptance (验收) verifies the linked cases through the case loop's own service with
the project's photos and tells the residents who asked for it; residents then rate it."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from youlin.cases import services as cases
from youlin.cases.models import Satisfaction
from youlin.deliberation import permissions
from youlin.deliberation import services as deliberation
from youlin.deliberation.selectors import notice_respondents
from youlin.domain.writes import actor_user
from youlin.parties.models import Person
from youlin.projects.errors import ProjectError, ProjectErrorCode
from youlin.projects.models import Project, ProjectPhoto, ProjectRating
from youlin.projects.services.checks import (
    Event,
    Status,
    check_photos,
    denied,
    fresh,
    invalid,
    require_manager,
    require_stage,
    store_photos,
    sync,
    tell,
    write,
)


@transaction.atomic
def project_accept(
    *, actor, project: Project, expected_version: int, note: str = "", photos: Sequence[UploadedFile] = ()
) -> Project:
    """验收 at the acceptance meeting: the project closes, its linked open cases move to verified with the
    project's after photos (these, or the last progress photos), and their followers are told."""
    current = fresh(project, expected_version)
    require_manager(actor, current)
    require_stage(current, {Status.UNDER_CONSTRUCTION}, "accept")
    if current.acceptance_meeting_id is None:
        raise ProjectError(
            ProjectErrorCode.ILLEGAL_STAGE, _("请先安排验收会，邀请街道城管办、社区党委和施工队到场验收。")
        )
    if current.progress < 100:
        raise ProjectError(
            ProjectErrorCode.ILLEGAL_STAGE,
            _("总体进度为 %(progress)d%%，尚未完工，不能验收。请施工单位填报完工进展后再验收。")
            % {"progress": current.progress},
        )
    photos = check_photos(photos)
    stored = store_photos(actor, current, photos, ProjectPhoto.Kind.AFTER)
    if not stored:
        last = current.updates.filter(photos__isnull=False).order_by("-created_at", "-id").first()
        stored = [p.photo for p in last.photos.select_related("photo")] if last else []
    if not stored:
        raise invalid(_("请上传完工后的照片，居民将看到改造前后的对比。"), "photos")
    now = timezone.now()
    # Acceptance happens at the acceptance meeting: accepting records the meeting as held with its outcome.
    minutes = _("专项“%(title)s”验收通过。") % {"title": current.title}
    deliberation.meeting_record_held(
        actor=actor,
        meeting=current.acceptance_meeting,
        minutes=f"{minutes}\n{note.strip()}" if note.strip() else str(minutes),
    )
    result = write(
        current,
        actor=actor,
        expected_version=expected_version,
        kind=Event.ACCEPTED,
        to_status=Status.ACCEPTED,
        fields={"accepted_at": now, "accepted_by": actor_user(actor), "actual_end": timezone.localdate(now)},
        note=note.strip(),
        data={"photos": [p.pk for p in stored]},
    )
    label = f"{result.title}（#{result.pk}）"
    for case in result.cases.filter(status__in=cases.PROJECT_ACCEPTABLE_STATUSES):
        cases.case_accept_by_project(
            actor=actor,
            case=case,
            expected_version=case.version,
            project_label=label,
            photos=stored,
            note=cases.SystemNote(gettext_noop("专项“%(title)s”验收通过。"), {"title": result.title}),
            data={"project_id": result.pk},
        )
    tell(_followers(result), result, _("项目已验收：%(title)s") % {"title": result.title}, actor=actor)
    sync(project, result)
    return result


def _followers(project: Project) -> list:
    """Residents who answered the resolution's notice: they asked for this and should see it done."""
    return notice_respondents(project.resolution_id) if project.resolution_id else []


@transaction.atomic
def project_rate(*, actor, project: Project, satisfaction: str, comment: str = "") -> ProjectRating:
    """A resident of the community rates the finished project, once."""
    if satisfaction not in Satisfaction.values:
        raise invalid(_("请选择满意、基本满意或不满意。"), "satisfaction")
    require_stage(project, {Status.ACCEPTED}, "rate")
    if not permissions.is_resident_of(actor, project.community_id):
        raise denied(_("只有本社区居民可以评价。"))
    person = Person.objects.filter(user=actor).first()
    try:
        with transaction.atomic():
            return ProjectRating.objects.create(
                project=project,
                user=actor,
                name=person.name if person else str(actor)[:64],
                satisfaction=satisfaction,
                comment=comment.strip(),
                created_at=timezone.now(),
            )
    except IntegrityError:
        raise ProjectError(ProjectErrorCode.ALREADY_DONE, _("您已经评价过这个项目，感谢参与。")) from None
