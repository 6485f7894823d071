"""scikit-learn's own estimator test suite, run on both estimators.

No check is expected to fail and no tag is set to skip one.  As scikit-learn
does for its own MLPs, the instances keep the default network and cap
``max_iter`` at 100 (the L-BFGS ones use a smaller network) so the suite stays
fast; every check clones them, so each check trains from scratch.
"""

from __future__ import annotations

import pytest

pytest.importorskip("sklearn")

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from lucidnet.sklearn import LucidClassifier, LucidRegressor  # noqa: E402

ESTIMATORS = [
    LucidClassifier(max_iter=100),
    LucidRegressor(max_iter=100),
    LucidClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50),
    LucidRegressor(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50),
]


@pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: {})
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
