"""The API tests use the page tests' reporting situation (hypertension management, 2023–2024)."""

from weijian.web.tests.conftest import reporting  # noqa: F401
