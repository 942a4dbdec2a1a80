"""How a page shows a refusal: on the form field it names (or above the form), else as a message."""

from __future__ import annotations

from django.contrib import messages

from youlin.domain.errors import DomainError


def show_error(request, exc: DomainError, form=None) -> None:
    """Put ``exc``'s message where the person is looking: with a ``form``, on the field the error names when
    the form has it (else above the form); without one, in the messages shown on the next page."""
    if form is not None:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
    else:
        messages.error(request, str(exc.message))
