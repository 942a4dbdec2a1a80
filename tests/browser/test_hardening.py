"""Stored script through names: a compound named like an HTML tag is shown as text on every map, and the
Content-Security-Policy would stop an inline script anyway."""

import pytest

from youlin.demo.loader import DEMO_PASSWORD
from youlin.places.models import Compound

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '<img src=x onerror="window.__xss=1">'


def login(page, live_server, username, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


OPEN_EVERY_TOOLTIP = """() => {
  const texts = [];
  (window.youlinMaps || []).forEach(map => map.eachLayer(layer => {
    if (layer.getTooltip && layer.getTooltip()) {
      layer.openTooltip();
      texts.push(layer.getTooltip().getElement().textContent);
    }
  }));
  return texts;
}"""


def hover_until(page, wanted: str) -> bool:
    """Open every tooltip of the page's maps: is ``wanted`` shown as text?"""
    return wanted in page.evaluate(OPEN_EVERY_TOOLTIP)


def test_a_place_named_like_html_never_runs(page, live_server, demo):
    Compound.objects.filter(name="手帕口南街36号院").update(name=PAYLOAD)
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    # Anonymous, on the resident's report page (its map lists every compound).
    page.goto(live_server.url + "/report/")
    page.wait_for_selector(".leaflet-interactive")
    assert hover_until(page, PAYLOAD)
    assert page.evaluate("window.__xss") is None
    # The district administrator's case map and the community overview.
    login(page, live_server, "district", "/dashboards/map/")
    page.wait_for_selector("#big-map[data-cases]", state="attached")
    assert hover_until(page, PAYLOAD)
    assert page.evaluate("window.__xss") is None
    page.goto(live_server.url + "/c/shoupakou-nanjie/")
    page.wait_for_selector(".leaflet-interactive")
    assert page.evaluate("window.__xss") is None
    assert violations == []


def test_the_policy_stops_an_inline_script(page, live_server, demo):
    response = page.goto(live_server.url + "/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                            document.body.appendChild(s); }""")
    assert page.evaluate("window.__ran") is None
    assert any("inline script" in message for message in page.youlin_csp_violations)
    page.youlin_csp_violations.clear()  # the one violation this test caused on purpose
