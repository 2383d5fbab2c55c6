"""The row median the Theil-Sen intercept uses equals numpy's nanmedian on any matrix (property test)."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from indicators.methods.trend import row_nanmedian, theil_sen

cells = st.one_of(st.just(np.nan), st.floats(-1e6, 1e6, allow_nan=False))


@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 15)), elements=cells))
def test_row_nanmedian_equals_numpys(matrix):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy warns on all-NaN rows
        expected = np.nanmedian(matrix, axis=1)
    np.testing.assert_allclose(row_nanmedian(matrix), expected, equal_nan=True)


def test_theil_sen_intercept_by_hand():
    years = np.arange(2000, 2005, dtype=float)
    fit = theil_sen(years, np.array([[1.0, 3.0, np.nan, 7.0, 9.0]]))
    # slope 2; median of values 5 (of 1, 3, 7, 9), median of their years 2002 -> intercept 5 - 2 * 2002
    assert fit.slope[0] == 2.0 and fit.intercept[0] == 5.0 - 2.0 * 2002
