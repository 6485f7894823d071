"""``LucidClassifier`` and ``LucidRegressor``: MLPClassifier/MLPRegressor on lucidnet."""

from ._classifier import LucidClassifier
from ._regressor import LucidRegressor

__all__ = ["LucidClassifier", "LucidRegressor"]
