import pytest

from app.extensions import limiter


@pytest.fixture(autouse=True)
def fresh_throttle(app):
    """Each story starts with no wrong guesses counted against it."""
    limiter.reset()
    yield
    limiter.reset()
