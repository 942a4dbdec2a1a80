"""The README's "Deployment" section shows the very files the two-node system test runs with, so following the
README is what the test does."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
FILES = [
    "deploy/youlin.env.example",
    "deploy/nginx-youlin.conf.template",
    "deploy/systemd/youlin-serve.service",
    "deploy/systemd/youlin-worker.service",
]


@pytest.mark.parametrize("name", FILES)
def test_the_readme_shows_each_deployment_file_as_committed(name):
    readme = (ROOT / "README.md").read_text()
    assert (ROOT / name).read_text() in readme, f"README.md's Deployment section differs from {name}"


def test_the_example_environment_names_only_variables_youlin_reads():
    sources = "".join(
        (ROOT / "src/youlin" / name).read_text() for name in ("settings.py", "core/management/commands/serve.py")
    )
    names = [
        line.split("=", 1)[0]
        for line in (ROOT / "deploy/youlin.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert len(names) > 10
    assert [name for name in names if f'"{name}"' not in sources] == []
