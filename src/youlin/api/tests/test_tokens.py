"""Personal tokens: the command, the page, and that only a hash is stored."""

from django.core.management import call_command
from django.urls import reverse

from youlin.accounts.tests.factories import UserFactory
from youlin.api.models import ApiToken


def test_command_prints_the_token_on_its_last_line(client, users, capsys):
    call_command("apitoken", "create", "--user", "spk_staff", "--name", "数据组")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert raw.startswith("yl_")
    token = ApiToken.objects.get(user=users.spk_staff, name="数据组")
    assert raw not in token.key_hash and token.prefix == raw[:10]
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    call_command("apitoken", "revoke", "--user", "spk_staff", "--name", "数据组")
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_page_creates_shows_once_and_revokes(client, db):
    resident = UserFactory()
    client.force_login(resident)
    page = reverse("api-v1:tokens")
    assert client.get(page).status_code == 200
    created = client.post(page, {"name": "小程序"})
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    html = created.content.decode()
    token = ApiToken.objects.get(user=resident)
    raw = html.split('user-select-all">', 1)[1].split("<", 1)[0]
    assert raw.startswith(token.prefix)
    assert raw not in client.get(page).content.decode()  # shown once
    empty = client.post(page, {"name": ""})
    assert empty.status_code == 400 and "请为令牌起一个名称" in empty.content.decode()
    client.post(reverse("api-v1:token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_page_cannot_revoke_someone_elses_token(client, db):
    from youlin.api.services import token_create

    other, _raw = token_create(user=UserFactory(), name="x")
    client.force_login(UserFactory())
    assert client.post(reverse("api-v1:token-revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_page_needs_login(client, db):
    response = client.get(reverse("api-v1:tokens"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_demo_accounts_token_stops_working_outside_demo_mode(api, settings):
    """The rule of login and sessions (``accounts.backends.demo_account_allowed``) holds for tokens too."""
    staff = api("spk_staff")
    assert staff.get("/meetings").status_code == 200
    settings.YOULIN_DEMO = False
    refused = staff.get("/meetings")
    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_token"
