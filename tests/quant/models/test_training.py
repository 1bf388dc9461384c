from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from quant.models import fit_final, make_labels, training_set
from tests.quant.models._trained import small_xgb
from tests.quant.models.conftest import small_features

AS_OF = date(2011, 6, 30)


def test_training_set_is_the_same_with_or_without_later_prices(
    closes: dict[str, pd.Series],
) -> None:
    """Point in time: what is trainable on as_of does not depend on prices after as_of."""
    cut = {t: c.loc[: pd.Timestamp(AS_OF)] for t, c in closes.items()}
    full = training_set(small_features(closes), make_labels(closes), horizon=20, as_of=AS_OF)
    part = training_set(small_features(cut), make_labels(cut), horizon=20, as_of=AS_OF)
    pd.testing.assert_frame_equal(full.X, part.X)
    pd.testing.assert_series_equal(full.y, part.y)
    assert full.last_label_date <= AS_OF and full.last_date < AS_OF
    # the last trainable row is 20 sessions before as_of: its label ends on as_of
    dates = closes["AAPL"].index
    assert pd.Timestamp(full.last_date) == dates[dates.get_loc(pd.Timestamp(AS_OF)) - 20]
    assert full.tickers == ("AAPL", "MSFT")


def test_fit_final_checks_the_model_purge(features: pd.DataFrame, closes) -> None:
    training = training_set(features, make_labels(closes), horizon=20, as_of=AS_OF)
    with pytest.raises(ValueError, match="shorter than the label horizon 20"):
        fit_final(training, model_factory=small_xgb)  # purge 5 < 20
    with pytest.raises(ValueError, match="no rows"):
        training_set(features, make_labels(closes), horizon=20, as_of=date(2006, 1, 3))
