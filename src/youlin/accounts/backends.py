"""Authentication: the model backend, refusing demo accounts outside demo mode."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def demo_account_allowed(user) -> bool:
    return not getattr(user, "is_demo", False) or settings.YOULIN_DEMO


class DemoAwareModelBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and demo_account_allowed(user)

    def get_user(self, user_id):
        user = super().get_user(user_id)
        if user is not None and not demo_account_allowed(user):
            return None
        return user
