"""Records stored with their bulky fields packed (`generator.packed`)."""

import dataclasses
import datetime as dt
import pickle

from generator.factrecords import ArticleFacts, KeyMove, Move, Quote, StoryFacts
from generator.records import StorySummary, SummarySentence


def _move(entity: str, article: str = "a.md") -> Move:
    return Move("move", entity, "up", 2.5, None, "%", None, "day", None, None, article, dt.date(2025, 1, 3),
                f"{entity} rose 2.5%.")


def _quote(*entities: str) -> Quote:
    return Quote("We are cautious.", "Jane Doe", "analyst at UBS", False, entities, "a.md")


def test_a_packed_record_comes_back_equal_and_unpacks_only_when_a_packed_field_is_read():
    facts = ArticleFacts((_move("copper"), _move("gold")), (_quote("ubs", "jane-doe"),), ("copper", "gold", "ubs"))
    loaded = pickle.loads(pickle.dumps(facts, protocol=5))
    assert "moves" not in vars(loaded) and "quotes" not in vars(loaded)
    assert loaded.entities == ("copper", "gold", "ubs")  # a field stored as it is
    assert loaded.named_in() == (("copper", "gold"), (("ubs", "jane-doe"),))  # read beside the packed fields
    assert "moves" not in vars(loaded)
    assert loaded.moves[1].entity == "gold"
    assert "quotes" in vars(loaded)  # every packed field came back at once
    assert loaded == facts and hash(loaded) == hash(facts)
    assert dataclasses.replace(loaded, entities=()) == dataclasses.replace(facts, entities=())


def test_a_packed_record_pickles_to_the_same_bytes_before_and_after_it_is_unpacked():
    summary = StorySummary("Copper rose.", (SummarySentence("Copper rose 2.5%.", "a.md"),), ("copper",))
    data = pickle.dumps(summary, protocol=5)
    loaded = pickle.loads(data)
    assert pickle.dumps(loaded, protocol=5) == data
    assert loaded.sentences == summary.sentences
    assert pickle.dumps(loaded, protocol=5) == data
    assert repr(loaded) == repr(summary)


def test_a_storys_names_are_read_without_unpacking_its_table():
    row = KeyMove("copper", "day", (_move("copper"), _move("copper", "b.md")), True)
    facts = StoryFacts((row,), (_move("oil"),), (_quote("ubs"),), ("ubs", "copper"))
    loaded = pickle.loads(pickle.dumps(facts, protocol=5))
    assert loaded.names() == ("copper", "oil", "ubs")
    assert "key_moves" not in vars(loaded)
    assert loaded.key_moves[0].disputed and loaded == facts
