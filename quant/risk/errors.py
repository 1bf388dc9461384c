"""Named errors of the risk layer, named by how the caller should react.

Every error is a ``ValueError`` (the input cannot be used as given) and carries a one-line
message that says what was wrong and what to do about it.
"""

from __future__ import annotations


class RiskInputError(ValueError):
    """The input is malformed (wrong shape, infinite values, bad parameter): fix the input."""


class InvalidLevelError(RiskInputError):
    """A confidence level outside the open interval (0, 1), e.g. 95 or 1.5 instead of 0.95."""


class InsufficientDataError(RiskInputError):
    """Too few usable observations (after dropping NaNs) for the requested estimate."""


class CornishFisherDomainError(RiskInputError):
    """The sample's skew and kurtosis are outside the Cornish-Fisher expansion's valid domain.

    The expanded quantile function is not increasing over the left tail, so it describes no
    distribution there and its VaR/CVaR are meaningless: use historical or Monte Carlo VaR.
    """
