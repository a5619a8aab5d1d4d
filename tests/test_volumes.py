import datetime as dt

import pytest

import generator.volumes
from generator.volumes import UNDATED, volumes
from tests.conftest import make_article

TEXT = "Shares rose on Monday. Traders bought banks."
DATES = [dt.date(2025, 1, 30), dt.date(2025, 2, 1), None, dt.date(2025, 2, 15), dt.date(2025, 4, 2)]


@pytest.fixture
def articles():
    return tuple(make_article(TEXT, f"{i}.txt", date=d) for i, d in enumerate(DATES))


def test_volumes_are_months_and_the_undated_articles_apart(articles, monkeypatch):
    monkeypatch.setattr(generator.volumes, "MIN_CONTEXT", 0)
    found = {v.name: (v.members, v.context) for v in volumes(articles)}
    assert list(found) == [UNDATED, "2025-01", "2025-02", "2025-04"]
    assert found[UNDATED] == ((2,), (2,))
    assert found["2025-01"] == ((0,), (0,))
    assert found["2025-02"] == ((1, 3), (0, 1, 3))  # a month learns with the month before
    assert found["2025-04"] == ((4,), (4,))  # March is empty


def test_a_month_of_a_thin_archive_learns_from_earlier_months_too(articles, monkeypatch):
    monkeypatch.setattr(generator.volumes, "MIN_CONTEXT", 4)
    found = {v.name: v.context for v in volumes(articles)}
    assert found["2025-04"] == (0, 1, 3, 4)  # back to January: March is empty, February holds two more
    assert found["2025-02"] == (0, 1, 3)  # nothing before January
