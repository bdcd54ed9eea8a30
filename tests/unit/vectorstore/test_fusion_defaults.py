"""Fusion weights follow the embedder they were fitted for; an explicit setting wins."""

from __future__ import annotations

import pytest

from vectorstore.embedders.e5 import IDENTITY as E5
from vectorstore.embedders.gemma import MODEL_NAME as GEMMA
from vectorstore.fusion_defaults import FittedFusion, fusion_for

pytestmark = pytest.mark.unit


def test_each_embedder_gets_the_weights_fitted_for_it() -> None:
    assert fusion_for(GEMMA) == FittedFusion(dense_weight=3.0, question_weight=0.25)
    assert fusion_for(E5) == FittedFusion(dense_weight=2.0, question_weight=0.0)
    assert fusion_for("/srv/models/some-other-model") == fusion_for(E5)


def test_a_setting_overrides_the_fitted_weight() -> None:
    assert fusion_for(GEMMA, dense_weight=1.5) == FittedFusion(1.5, 0.25)
    assert fusion_for(GEMMA, question_weight=0.0) == FittedFusion(3.0, 0.0)
    assert fusion_for(E5, 2.5, 0.5) == FittedFusion(2.5, 0.5)
