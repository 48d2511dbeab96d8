from weijian.assessment.tests.conftest import reviewer  # noqa: F401  (the assessment's reviewer user)
