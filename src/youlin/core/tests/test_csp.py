"""The Content-Security-Policy: every page forbids inline script, and no template carries one."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2]


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATES.glob("**/templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{path.relative_to(TEMPLATES)}: {tag}")
        for handler in re.findall(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: {handler.strip()}")
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/report/", "/accounts/login/", "/api/v1/docs"])
def test_pages_forbid_inline_script(client, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_the_api_docs_come_from_local_files(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in html and "/static/ninja/swagger-ui-bundle.js" in html
