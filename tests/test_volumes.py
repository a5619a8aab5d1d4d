import datetime as dt

from generator.volumes import UNDATED, volumes
from tests.conftest import make_article

TEXT = "Shares rose on Monday. Traders bought banks."


def test_volumes_are_months_learned_with_the_month_before_and_the_undated_articles_apart():
    dates = [dt.date(2025, 1, 30), dt.date(2025, 2, 1), None, dt.date(2025, 2, 15), dt.date(2025, 4, 2)]
    articles = tuple(make_article(TEXT, f"{i}.txt", date=d) for i, d in enumerate(dates))
    found = {v.name: (v.members, v.context) for v in volumes(articles)}
    assert list(found) == [UNDATED, "2025-01", "2025-02", "2025-04"]
    assert found[UNDATED] == ((2,), (2,))
    assert found["2025-01"] == ((0,), (0,))
    assert found["2025-02"] == ((1, 3), (0, 1, 3))
    assert found["2025-04"] == ((4,), (4,))  # March is empty: nothing to learn from before April
