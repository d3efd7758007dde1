import pytest

from app.extensions import limiter


@pytest.fixture(autouse=True)
def fresh_throttle(app):
    """Each story starts with no complaints or wrong guesses counted against its address."""
    limiter.reset()
    yield
    limiter.reset()
