import datetime as dt

from generator.records import ThemeAssignment
from generator.features import event_day
from generator.stories import group_stories

OIL_1 = ("Oil prices jumped on Monday after OPEC agreed to cut crude output by two million barrels a day. "
         "Brent crude rose 4 per cent to 92 dollars a barrel as traders priced in tighter supply from OPEC producers.")
OIL_2 = ("Crude oil climbed on Monday as OPEC ministers backed a deep cut to crude output. "
         "Brent rose to 92 dollars a barrel while analysts said the OPEC cut would tighten oil supply.")
OIL_3 = ("Oil prices fell on Thursday as OPEC producers signalled crude output could rise again. "
         "Brent slipped to 88 dollars a barrel as traders weighed OPEC supply and crude demand.")
CHIPS = ("Chipmaker shares slid on Monday after a weak forecast from a memory maker hit semiconductor stocks. "
         "The chip index fell 3 per cent as investors sold memory and semiconductor makers.")


def themes_for(*articles):
    return {a.id: ThemeAssignment((), ()) for a in articles}


def test_articles_on_one_event_form_one_story_and_others_their_own(article_factory):
    arts = (article_factory(OIL_1, "a.txt"), article_factory(OIL_2, "b.txt"), article_factory(CHIPS, "c.txt"))
    stories = group_stories(arts, themes_for(*arts))
    assert sorted(sorted(s.articles) for s in stories) == [["a.txt", "b.txt"], ["c.txt"]]


def test_leads_naming_different_days_are_different_events(article_factory):
    arts = (article_factory(OIL_1, "a.txt"), article_factory(OIL_3, "b.txt"))
    assert len(group_stories(arts, themes_for(*arts))) == 2


def test_stated_dates_far_apart_are_different_events(article_factory):
    arts = (article_factory(OIL_1, "a.txt", date=dt.date(2025, 3, 3)),
            article_factory(OIL_2, "b.txt", date=dt.date(2025, 4, 7)))
    assert len(group_stories(arts, themes_for(*arts))) == 2


def test_syndicated_copy_folds_into_the_original(article_factory):
    arts = (article_factory(OIL_1, "a.txt", date=dt.date(2025, 3, 3)),
            article_factory(OIL_1 + " Copyright notice.", "b.txt", date=dt.date(2025, 3, 3)))
    (story,) = group_stories(arts, themes_for(*arts))
    assert story.articles == ("a.txt",)
    assert story.copies == (("b.txt", "a.txt"),)


def test_story_date_is_worked_out_from_mentioned_date_and_lead_weekday(article_factory):
    mention = article_factory("OPEC met on March 3, 2025 to agree a crude output cut. " + OIL_2.split(". ")[1], "b.txt")
    lead = article_factory(OIL_1.replace("Monday", "Tuesday"), "a.txt")
    assert event_day(mention).not_before == dt.date(2025, 3, 3)
    assert event_day(lead).weekday == 1
    (story,) = group_stories((lead, mention), themes_for(lead, mention))
    assert story.date == dt.date(2025, 3, 4) and story.date_inferred


def test_stories_carry_their_articles_themes_and_stable_ids(article_factory):
    arts = (article_factory(OIL_1, "a.txt", date=dt.date(2025, 3, 3)), article_factory(OIL_2, "b.txt", date=dt.date(2025, 3, 3)))
    themes = {"a.txt": ThemeAssignment(("oil", "rates"), (("oil", 9.0), ("rates", 4.0))),
              "b.txt": ThemeAssignment(("oil",), (("oil", 8.0),))}
    (story,) = group_stories(arts, themes)
    assert story.themes == ("oil", "rates")
    assert story.id.startswith("2025-03-03-") and story.id == group_stories(arts, themes)[0].id


def test_stories_are_newest_first(article_factory):
    arts = (article_factory(OIL_1, "a.txt", date=dt.date(2025, 3, 3)), article_factory(CHIPS, "c.txt", date=dt.date(2025, 5, 5)))
    assert [s.date for s in group_stories(arts, themes_for(*arts))] == [dt.date(2025, 5, 5), dt.date(2025, 3, 3)]


def test_story_id_stays_when_a_later_article_joins(article_factory):
    first = article_factory(OIL_1, "a.txt", date=dt.date(2025, 3, 3))
    later = article_factory(OIL_2, "b.txt", date=dt.date(2025, 3, 4), title="OPEC cut lifts crude to a high")
    (alone,) = group_stories((first,), themes_for(first))
    (grown,) = group_stories((first, later), themes_for(first, later))
    assert set(grown.articles) == {"a.txt", "b.txt"}
    assert grown.headline == "OPEC cut lifts crude to a high"  # a real headline is preferred for display
    assert grown.id == alone.id


def test_an_articles_strongest_terms_break_ties_by_term():
    import numpy as np

    from generator.stories import BLOCK_TERMS, _strongest

    terms = [f"t{n:02d}" for n in range(BLOCK_TERMS + 8)]
    rank = np.argsort(np.argsort(np.array(terms, dtype=object)))
    ids = np.arange(len(terms))[::-1].copy()  # listed in reverse order, all equally strong
    weights = np.full(len(terms), 0.25)
    docs = np.zeros(len(terms), dtype=np.int64)
    picked, _ = _strongest(ids, weights, docs, rank, 1)
    assert sorted(terms[i] for i in picked) == terms[:BLOCK_TERMS]
    weights[ids == len(terms) - 1] = 0.5  # one term stronger than the rest is always picked
    picked, _ = _strongest(ids, weights, docs, rank, 1)
    assert terms[-1] in {terms[i] for i in picked} and len(picked) == BLOCK_TERMS


def test_a_story_at_the_turn_of_a_month_stays_one_story(article_factory):
    arts = (article_factory(OIL_1, "a.txt", date=dt.date(2025, 1, 31)),
            article_factory(OIL_2, "b.txt", date=dt.date(2025, 2, 1)))
    (story,) = group_stories(arts, themes_for(*arts))
    assert set(story.articles) == {"a.txt", "b.txt"} and story.id.startswith("2025-01-31-")


def test_a_story_open_at_the_end_of_a_month_ends_there_when_nothing_joins(article_factory):
    alone = (article_factory(OIL_1, "a.txt", date=dt.date(2025, 1, 31)),)
    assert [s.articles for s in group_stories(alone, themes_for(*alone))] == [("a.txt",)]
    arts = (*alone, article_factory(CHIPS, "c.txt", date=dt.date(2025, 2, 1)))
    assert sorted(s.articles for s in group_stories(arts, themes_for(*arts))) == [("a.txt",), ("c.txt",)]


def test_an_undated_article_joins_the_dated_story_of_its_event(article_factory):
    arts = (article_factory(OIL_1, "a.txt", date=dt.date(2025, 3, 3)), article_factory(OIL_2, "b.txt"),
            article_factory(CHIPS.replace("Monday", "Friday"), "c.txt"))
    stories = group_stories(arts, themes_for(*arts))
    assert sorted(sorted(s.articles) for s in stories) == [["a.txt", "b.txt"], ["c.txt"]]
    assert next(s for s in stories if "a.txt" in s.articles).id.startswith("2025-03-03-")


def test_an_article_added_to_one_month_regroups_that_month_only(article_factory, tmp_path, monkeypatch):
    import generator.stories as stories
    from generator.runner import Runner

    grouped = []

    def counted(articles, features, themes, step):
        grouped.append(sorted(articles[i].id for i in step.members))
        return original(articles, features, themes, step)

    original = stories._group_step
    monkeypatch.setattr(stories, "_group_step", counted)
    january = (article_factory(OIL_1, "a.txt", date=dt.date(2025, 1, 6)),
               article_factory(OIL_2, "b.txt", date=dt.date(2025, 1, 6)))
    march = (article_factory(CHIPS, "c.txt", date=dt.date(2025, 3, 3)),)
    added = article_factory(OIL_3, "d.txt", date=dt.date(2025, 3, 6))
    with Runner(tmp_path / "cache") as runner:
        group_stories(january + march, themes_for(*january, *march), runner=runner)
    grouped.clear()
    corpus = january + march + (added,)
    with Runner(tmp_path / "cache") as runner:
        again = group_stories(corpus, themes_for(*corpus), runner=runner)
    assert grouped == [["c.txt", "d.txt"]]
    assert again == group_stories(corpus, themes_for(*corpus))
