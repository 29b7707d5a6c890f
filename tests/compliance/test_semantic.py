"""The sentence model's batches: a long batch (training, an evaluation) is split over the cores with one encoder per
thread, and gives exactly the vectors one encoder gives; prefetched vectors give the same p(stop) as a message
embedded on its own."""

from __future__ import annotations

import numpy as np

from compliance import semantic
from compliance.optout import optout_training_rows


def test_a_long_batch_split_over_threads_gives_the_same_vectors_as_one_encoder():
    texts = [row.text for row in optout_training_rows()][: semantic.PARALLEL_FROM * 2 + 7]
    split = semantic._embed(texts)
    with semantic._encoder_lock:
        whole = semantic._embedder().query(texts)
    assert split.shape == whole.shape == (len(texts), whole.shape[1])
    assert np.array_equal(split, whole)


def test_prefetched_vectors_give_the_same_probability_as_a_single_message():
    texts = ["por favor, me tirem dessa lista de uma vez", "quero ver o apartamento de dois quartos sábado"]
    alone = [semantic.stop_probability(text) for text in texts]
    semantic._memo.clear()
    try:
        assert semantic.semantic_prefetch([*texts, texts[0], "  "]) == 2  # each text once; blanks are not embedded
        assert semantic.semantic_prefetch(texts) == 0
        assert [semantic.stop_probability(text) for text in texts] == alone
    finally:
        semantic._memo.clear()
    assert alone[0][0] > 0.5 > alone[1][0]
