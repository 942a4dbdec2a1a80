"""Background work for notifications: e-mail copies (console backend by default)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_notification_email(user_id: int, title: str, body: str) -> bool:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    send_mail(
        subject=f"[友邻] {title}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
        fail_silently=False,
    )
    return True
