"""No page shows its user a link that answers them 404 or 403 (found by crawling the demo as a resident: the
menu's 台账, the task list's 巡查上报 and a meeting's case numbers each led a resident to "page not found").

Each account crawls the demo with all its stories loaded (cases, the deliberation hall, ledgers, volunteers) from
the home page, following the links its pages show (a few of each URL pattern), and every link found is opened by
the same account."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = pytest.mark.django_db

# Links that are not pages to open: actions behind a form, files, feeds, the admin (its own permission system),
# the API and Open311 (their own clients), the language switch, media (checked by the photo tests).
SKIP = re.compile(
    r"^/(admin|api|open311|static|media|i18n)/|/logout/|\.(xlsx|csv|json|atom|xml|png|jpg)$|/act/|/cancel/|/retry/"
)
PAGES_PER_PATTERN = 2
MAX_PAGES = 60


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def _links(page_path: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.links:
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urlsplit(urljoin("http://testserver" + page_path, href))
        if url.netloc != "testserver":
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if not SKIP.search(url.path):
            found.append(path)
    return found


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


@pytest.fixture
def full_demo(demo):
    from youlin.demo.cases import load_demo_cases
    from youlin.demo.deliberation import load_demo_deliberation
    from youlin.demo.ledgers import load_demo_ledgers
    from youlin.demo.volunteers import load_demo_volunteers

    load_demo_cases()
    load_demo_deliberation()
    load_demo_ledgers()
    load_demo_volunteers()


ACCOUNTS = [
    "",  # anyone, not logged in (the public pages)
    "spk_resident",  # a resident
    "spk_captain",  # a building captain
    "spk_grid",  # a grid worker
    "tyh_property",  # a property company's staff
    "spk_committee",  # an owners' committee member
    "builder",  # a contractor's staff
    "fwd_volunteer",  # a volunteer
    "spk_staff",  # community staff
    "gw_officer",  # a sub-district officer
]


@pytest.mark.parametrize("username", ACCOUNTS, ids=[a or "anyone" for a in ACCOUNTS])
def test_every_link_a_page_shows_opens_for_its_user(client, users, full_demo, username):
    if username:
        client.force_login(getattr(users, username))
    queue, crawled, per_pattern = ["/", "/p/shoupakou-nanjie/"], set(), {}
    checked: dict[str, int] = {}
    broken = []
    while queue and len(crawled) < MAX_PAGES:
        path = queue.pop(0)
        if path in crawled or per_pattern.get(_pattern(path), 0) >= PAGES_PER_PATTERN:
            continue
        crawled.add(path)
        per_pattern[_pattern(path)] = per_pattern.get(_pattern(path), 0) + 1
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in _links(path, response.content.decode()):
            if link not in checked:
                target = client.get(link)
                if target.streaming:  # read to its end, which closes it (``close()`` closes the test's connection)
                    b"".join(target.streaming_content)
                checked[link] = target.status_code
                if target.status_code in (403, 404) or target.status_code >= 500:
                    broken.append(f"{path} → {link}: {target.status_code}")
                elif target.status_code == 200:
                    queue.append(link)
    assert len(crawled) > 5
    assert not broken, "\n".join(broken)
