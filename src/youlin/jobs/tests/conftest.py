from youlin.cases.tests.conftest import clock, media, users  # noqa: F401  (shared fixtures)
