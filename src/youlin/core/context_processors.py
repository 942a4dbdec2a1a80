from django.conf import settings


def youlin(request):
    from youlin.access.policy import jurisdiction_of

    return {
        "YOULIN_DEMO": settings.YOULIN_DEMO,
        "jurisdiction": jurisdiction_of(getattr(request, "user", None)),
    }
