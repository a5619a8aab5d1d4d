"""Months: the months whose results a build takes whole from an earlier one.

What the stages make of an article depends on its own month and earlier ones, never on later
ones: themes and story weights are learned from a month and the months before it
(`generator.volumes`), and a month's stories take in those left open at the end of the month
before. So while the articles of a month and of every earlier month are those of an earlier build
(with the same code, themes and registry), what the stages made of that month is what they would
make again. Such a month is *closed*: a build takes what the stages made of it from the cache,
kept there as one entry per month, and runs the stages on the *open* months only (the first
month whose articles changed, and every later one) with beside them the months they learn from.
The day's articles, added to the newest month, open that month alone.

Undated articles are grouped against the whole corpus (`stories._attach`): while there are any,
every month is open.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import cached_property

from generator.factrecords import ArticleFacts, Entity, MarketFacts, StoryFacts
from generator.records import Article, Corpus, Digest, Months, Story, StorySummary, Summaries, SummarySentence, \
    Taxonomy, ThemeAssignment
from generator.runner import Runner
from generator.stories import Grouping, MonthStories
from generator.volumes import month_name, volumes

OWNER = "generator.build"
"""The module whose code (with every module it imports: all the stages) the kept months' results
depend on (`Runner.get`): a change to any stage opens every month."""


@dataclass(frozen=True)
class MonthResults:
    """What the stages made of one month's articles, kept for the builds after."""

    chain: str
    """Hash of the articles of this month and of every earlier one, and of what else the stages'
    results depend on (`plan_months`)."""
    articles: tuple[str, ...]
    """Ids of its articles, in corpus order."""
    keywords: tuple[tuple[str, ...], ...]
    """Each article's keywords."""
    themes: tuple[ThemeAssignment, ...]
    """Each article's themes."""
    facts: tuple[ArticleFacts, ...]
    """Each article's market facts."""
    named: tuple[dict[str, Entity], ...]
    """The entities each article names, as it gives them."""
    short: tuple[tuple[SummarySentence, ...], ...]
    """Each article's short summary."""
    alone: dict[str, StorySummary]
    """The summary as a story of its own of each article in a story left open at its end (which
    the next month's grouping may finish as a story of that article alone)."""
    stories: MonthStories
    """What grouping made of the month."""
    story_summaries: tuple[StorySummary, ...]
    """The summary of each of its stories (ended, then finished)."""
    story_facts: tuple[StoryFacts | None, ...]
    """The market facts of each of its stories."""
    identities: tuple[str | None, ...]
    """The identity (`Runner.identity`) of each value above from `keywords` on, field by field."""

    def values(self) -> list:
        """The values `identities` names, in its order."""
        return [*self.keywords, *self.themes, *self.facts, *self.named, *self.short, *self.alone.values(),
                *self.story_summaries, *self.story_facts]


@dataclass(frozen=True)
class MonthPlan:
    """Which months a build takes from the cache, and which articles its stages work on."""

    closed: tuple[MonthResults, ...]
    """The closed months' results, oldest first."""
    fresh: tuple[Article, ...]
    """The articles of the open months, in corpus order: those the stages work out."""
    window: tuple[Article, ...]
    """Those, with the articles of the months they learn from and of the last closed month
    (whose open stories they may join), in corpus order."""
    chains: dict[str, str]
    """Each month's chain (`MonthResults.chain`); empty when no month can be closed (undated articles)."""

    @cached_property
    def keywords(self) -> dict[str, tuple[str, ...]]:
        """The closed months' articles' keywords, by article id."""
        return {a: v for month in self.closed for a, v in zip(month.articles, month.keywords)}

    @cached_property
    def themes(self) -> dict[str, ThemeAssignment]:
        """The closed months' articles' themes, by article id."""
        return {a: v for month in self.closed for a, v in zip(month.articles, month.themes)}

    @cached_property
    def facts(self) -> dict[str, tuple[ArticleFacts, dict[str, Entity]]]:
        """What `facts.article_facts` gave the closed months' articles, by article id."""
        return {a: (f, n) for month in self.closed for a, f, n in zip(month.articles, month.facts, month.named)}

    @cached_property
    def summaries(self) -> dict[str, tuple[tuple[SummarySentence, ...], StorySummary | None]]:
        """What `summaries.article_summary` gave the closed months' articles, by article id (the
        summary as a story of its own only where `MonthResults.alone` kept it)."""
        return {a: (s, month.alone.get(a)) for month in self.closed for a, s in zip(month.articles, month.short)}

    @property
    def stories(self) -> tuple[MonthStories, ...]:
        """What grouping made of each closed month, oldest first."""
        return tuple(month.stories for month in self.closed)

    @cached_property
    def closed_stories(self) -> dict[str, tuple[MonthResults, int, Story]]:
        """The closed months' stories, by their first article (each article is in one story):
        the month, the story's place among its stories (ended, then finished) and the story."""
        return {story.articles[0]: (month, n, story) for month in self.closed
                for n, story in enumerate((*month.stories.ended, *month.stories.finished))}

    def open_stories(self, grouping: Grouping) -> tuple[Story, ...]:
        """The stories of the grouping that are not the closed months' (newest first)."""
        closed = self.closed_stories
        return tuple(story for story in grouping.stories if story.articles[0] not in closed) if closed else grouping.stories


def plan_months(articles: tuple[Article, ...], runner: Runner, depends: str) -> MonthPlan:
    """The months whose results stand (those of the previous build, when its articles of them and
    of every earlier month were these), and the articles the stages work on. `depends`: text
    standing for what else the results depend on (the themes, the registry)."""
    whole = MonthPlan((), articles, articles, {})
    if not articles or any(a.date is None for a in articles):
        return whole
    parts = volumes(articles)
    chains, chain = {}, hashlib.sha256(depends.encode()).hexdigest()
    for part in parts:
        text = "\0".join(f"{articles[i].id}\1{articles[i].source_digest}" for i in part.members)
        chain = chains[part.name] = hashlib.sha256(f"{chain}\0{part.name}\0{text}".encode()).hexdigest()
    if not runner.keeps_results:
        return replace(whole, chains=chains)
    before = runner.get("month-chains", "", OWNER) or {}
    closed: list[MonthResults] = []
    for part in parts:
        if before.get(part.name) != chains[part.name]:
            break
        kept = runner.get("months", part.name, OWNER)
        if kept is None or kept.chain != chains[part.name]:
            break
        closed.append(kept)
    if not closed:
        return replace(whole, chains=chains)
    opened = parts[len(closed):]
    runner.uses_part(part.name for part in opened)
    for month in closed:
        runner.identify_each(month.values(), month.identities)
    window = {*parts[len(closed) - 1].members}
    for part in opened:
        window.update(part.context)
    return MonthPlan(tuple(closed), tuple(articles[i] for i in sorted(i for part in opened for i in part.members)),
                     tuple(articles[i] for i in sorted(window)), chains)


def join_months(runner: Runner, plan: MonthPlan, corpus: Corpus, taxonomy: Taxonomy,
                keywords: dict[str, tuple[str, ...]], themes: dict[str, ThemeAssignment], grouping: Grouping,
                summaries: Summaries, market: MarketFacts) -> Digest:
    """The digest of the whole corpus: the closed months' results with what the stages made of the
    open ones (their keywords, themes and summaries, and the facts of their stories), which are
    kept for the next build."""
    articles = corpus.articles
    story_summaries, story_facts, settled = {}, {}, {}
    for story in grouping.stories:
        found = plan.closed_stories.get(story.articles[0])
        if found is None:
            story_summaries[story.id] = summaries.stories[story.id]
            story_facts[story.id] = market.stories.get(story.id)
        else:
            month, n, grouped = found
            story_summaries[story.id], story_facts[story.id] = month.story_summaries[n], month.story_facts[n]
            if story is grouped:  # (not renamed: `stories._unique_ids`)
                settled[story.id] = month.stories.month
    kept_summaries = plan.summaries
    digest = Digest(
        articles, {a.id: keywords[a.id] for a in articles}, taxonomy, {a.id: themes[a.id] for a in articles},
        grouping.stories,
        Summaries(story_summaries, {a.id: summaries.articles[a.id] if a.id in summaries.articles
                                    else kept_summaries[a.id][0] for a in articles}),
        corpus.skipped, corpus.warnings,
        replace(market, stories={sid: f for sid, f in story_facts.items() if f is not None}),
        Months(plan.chains, tuple(month.stories.month for month in plan.closed), settled))
    if plan.chains and runner.keeps_results:
        _keep(runner, plan, digest, grouping, summaries)
    return digest


def _keep(runner: Runner, plan: MonthPlan, digest: Digest, grouping: Grouping, summaries: Summaries) -> None:
    """Keep what the stages made of each open month, for the builds after."""
    done = {month.stories.month for month in plan.closed}
    by_month: dict[str, list[Article]] = {}
    for article in plan.fresh:
        by_month.setdefault(month_name(article.date), []).append(article)
    finals = {story.articles[0]: story for story in digest.stories}
    market = digest.market
    for stories in grouping.months:
        if stories.month in done:
            continue
        ids = tuple(a.id for a in by_month[stories.month])
        own = [finals[story.articles[0]] for story in (*stories.ended, *stories.finished)]
        alone = {a: summaries.alone[a] for story in stories.carried for a in story.articles}
        month = MonthResults(
            plan.chains[stories.month], ids, tuple(digest.keywords[a] for a in ids),
            tuple(digest.themes[a] for a in ids), tuple(market.articles[a] for a in ids),
            tuple(market.named[a] for a in ids), tuple(digest.summaries.articles[a] for a in ids), alone,
            stories, tuple(digest.summaries.stories[s.id] for s in own), tuple(market.stories.get(s.id) for s in own),
            ())
        identities = runner.identities(month.values())
        runner.put("months", stories.month, replace(month, named=_shared(month.named), identities=identities), OWNER)
    runner.put("month-chains", "", plan.chains, OWNER)


def _shared(named: tuple[dict[str, Entity], ...]) -> tuple[dict[str, Entity], ...]:
    """The entities each article names, each distinct entity one object for the whole month.

    An entity named by hundreds of articles comes from the cache as hundreds of equal objects,
    one per article: the month stores it once (a month's entities came back in 0.9 ms instead of
    2.7 ms at 20,000 articles). The dictionaries are equal to the ones given, so they keep their
    identities."""
    one: dict[Entity, Entity] = {}
    return tuple({eid: one.setdefault(entity, entity) for eid, entity in names.items()} for names in named)

