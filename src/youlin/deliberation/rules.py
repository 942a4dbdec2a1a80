"""Who sees and changes which rows of deliberation: its registrations with the access policy."""

from youlin.access.policy import Rule, register
from youlin.deliberation.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Invitation,
    Material,
    Meeting,
    NoticeResponse,
    Proposal,
    PublicNotice,
    Resolution,
    Vote,
)


def register_rules() -> None:
    # The community and its sub-district manage; invited organisations' members and invited people see.
    register(
        Meeting,
        Rule(
            community="community",
            subdistrict="community__subdistrict",
            organisation="invitations__organisation",
            owner="invitations__person",
        ),
    )
    for model, path in (
        (Invitation, "meeting__"),
        (Attendance, "meeting__"),
        (AgendaItem, "meeting__"),
        (Material, "meeting__"),
        (Proposal, "item__meeting__"),
        (Vote, "proposal__item__meeting__"),
        (Resolution, "item__meeting__"),
    ):
        register(
            model,
            Rule(
                community=f"{path}community",
                subdistrict=f"{path}community__subdistrict",
                organisation=f"{path}invitations__organisation",
                owner=f"{path}invitations__person",
            ),
        )
    # A task is also seen by whoever it is assigned to.
    register(
        ActionItem,
        Rule(
            community="resolution__item__meeting__community",
            subdistrict="resolution__item__meeting__community__subdistrict",
            organisation="assignee_organisation",
            owner="assignee_person",
        ),
    )
    # Residents see a notice through ``permissions.is_resident_of``; the policy covers staff.
    register(PublicNotice, Rule(community="community", subdistrict="community__subdistrict"))
    register(NoticeResponse, Rule(community="notice__community", subdistrict="notice__community__subdistrict"))
    from youlin.files.attachments import Attachment
    from youlin.files.attachments import register as register_file

    # A meeting's materials are its invitees' and the community's, never public; a document downloads under its
    # title.
    register_file(Attachment(Material, photo="photo", file="document", filename=lambda m: m.title))
