from datetime import datetime

import pytest

from youlin.testing import BEIJING


@pytest.fixture
def clock_start():
    """Time stands still at 2026-03-02 09:00 Beijing time until the test moves it."""
    return datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)
