"""Smart-intake tests share one model, built once per session from the shipped data into a scratch folder."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def built_model(tmp_path_factory):
    from youlin.intake.services import intake_build

    path = tmp_path_factory.mktemp("intake") / "model.npz"
    report = intake_build(path=path)
    return path, report


@pytest.fixture(scope="session")
def model(built_model):
    from youlin.intake.model import Model

    return Model.load(built_model[0])


@pytest.fixture(scope="session")
def shipped_engine(model):
    """The engine over the shipped category list (no database)."""
    from youlin.intake.catalogue import shipped_entries
    from youlin.intake.engine import Engine

    return Engine(shipped_entries(), model)


@pytest.fixture(autouse=True)
def _intake_model(settings, built_model):
    """Every test reads the session's model through the setting, and starts with no cached engine."""
    from youlin.intake.selectors import forget_engine

    settings.YOULIN_INTAKE_MODEL = built_model[0]
    forget_engine()
    yield
    forget_engine()
