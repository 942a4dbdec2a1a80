from youlin.cases.tests.conftest import clock, users  # noqa: F401  (shared fixtures)
