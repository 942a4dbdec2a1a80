"""System tests start real servers and take minutes: they run only when asked for (``pytest -m slow``, as CI
does), and are left out of ``make test``."""

import pytest


def pytest_collection_modifyitems(config, items):
    if "slow" in (config.option.markexpr or ""):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


@pytest.fixture(autouse=True)
def _fresh_place_index():
    """The nodes are other processes; this one keeps no index to forget."""
