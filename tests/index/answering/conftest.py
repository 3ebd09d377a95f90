"""The engine tests here run against both archives (tests/fixtures/backends.py)."""

import pytest

from tests.fixtures.backends import both_backends


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    both_backends(metafunc)
