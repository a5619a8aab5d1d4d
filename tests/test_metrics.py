"""ROUGE, F1 and NMI on tiny inline examples with known values."""

from __future__ import annotations

import pytest

from generator.metrics import class_f1, macro_f1, nmi, rouge_l, rouge_n, tokens


def test_tokens_are_lower_case_runs_of_letters_and_digits():
    assert tokens("Sales rose 2% to $10.9bn.For the year") == ["sales", "rose", "2", "to", "10", "9bn", "for", "the", "year"]


def test_rouge_on_one_changed_word():
    cand, ref = tokens("the cat sat on the mat"), tokens("the cat lay on the mat")
    assert rouge_n(cand, ref, 1).f1 == pytest.approx(5 / 6)
    assert rouge_n(cand, ref, 2).f1 == pytest.approx(3 / 5)
    assert rouge_l(cand, ref).f1 == pytest.approx(5 / 6)


def test_rouge_precision_and_recall_differ_with_lengths():
    score = rouge_n(tokens("a b c d"), tokens("a c e"), 1)
    assert (score.precision, score.recall) == (pytest.approx(1 / 2), pytest.approx(2 / 3))
    assert score.f1 == pytest.approx(4 / 7)


def test_rouge_clips_repeated_words():
    score = rouge_n(tokens("the the the"), tokens("the cat"), 1)
    assert (score.precision, score.recall) == (pytest.approx(1 / 3), pytest.approx(1 / 2))


def test_rouge_l_counts_order_not_just_overlap():
    assert rouge_l(tokens("a b c"), tokens("c b a")).f1 == pytest.approx(1 / 3)
    assert rouge_n(tokens("a b c"), tokens("c b a"), 1).f1 == pytest.approx(1.0)


def test_rouge_of_empty_candidate_is_zero():
    assert rouge_n([], tokens("a b"), 2).f1 == 0.0
    assert rouge_l([], tokens("a b")).f1 == 0.0


def test_macro_f1_averages_classes_and_counts_missing_as_wrong():
    gold, predicted = ["a", "a", "b", "b"], ["a", "b", "b", None]
    assert class_f1(gold, predicted) == {"a": pytest.approx(2 / 3), "b": pytest.approx(1 / 2)}
    assert macro_f1(gold, predicted) == pytest.approx(7 / 12)


def test_macro_f1_is_one_when_all_right():
    assert macro_f1(["x", "y", "y"], ["x", "y", "y"]) == 1.0


def test_nmi_known_values():
    assert nmi(["a", "a", "b", "b"], ["x", "x", "y", "y"]) == pytest.approx(1.0)
    assert nmi(["a", "a", "b", "b"], ["x", "y", "x", "y"]) == pytest.approx(0.0)
    assert nmi(["a", "a", "b", "b"], ["x", "x", "x", "y"]) == pytest.approx(0.3437110184854508)
