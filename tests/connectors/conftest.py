"""Fixtures for the connector tests: the fake SDMX provider on 127.0.0.1 and its registry
(:mod:`tests.connectors.fake_provider`), and a real S3 API server on 127.0.0.1
(:mod:`tests.connectors.s3_server`), available to every test module here by name."""

from tests.connectors.fake_provider import provider, registry  # noqa: F401 (fixtures, used by name)
from tests.connectors.s3_server import s3, s3_endpoint  # noqa: F401
