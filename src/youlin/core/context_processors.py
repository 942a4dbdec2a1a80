from django.conf import settings


def youlin(request):
    from functools import partial

    from youlin.access.policy import jurisdiction_of
    from youlin.ledgers.selectors import ledgers_open

    user = getattr(request, "user", None)
    return {
        "YOULIN_DEMO": settings.YOULIN_DEMO,
        "jurisdiction": jurisdiction_of(user),
        # Called by the template only where the menu asks (a callable in a context is called without arguments).
        "ledgers_open": partial(ledgers_open, user),
    }
