r"""Existing sites as decisions: yearly running costs, closing with a saving, the budget's basis.

Every site may carry a yearly running cost per role, :math:`r^H_j` and :math:`r^A_j` (euro a
year). The budget counts, by its *basis*:

- ``investment`` (default): the one-off euros :math:`I = \sum_{j \text{ new}} c_j`, as before;
- ``yearly``: the running cost of every open site :math:`Y = \sum_{j \text{ open}} r_j`;
- ``total``: both over :math:`N` years, :math:`I + N\,Y`.

An existing site that *may close* (``objective.keep_existing: false``, or named in
``rules.may_close``) is a decision: kept, it costs nothing one-off and its running cost a year;
closed, it saves that running cost. It may also change role: an existing antenne that becomes a
house pays the house's cost (the upgrade), an existing house kept as an antenne the antenne's.

:func:`with_running_costs` states all this as a plain coverage instance, so every model, rule,
cut and check of the family applies unchanged: per role the cost the budget counts,

.. math:: \tilde c_j = w_I\, c_j\,[j \text{ not existing in the role}] + w_R\, r_j,
   \qquad (w_I, w_R) = (1, 0),\ (0, 1),\ (1, N),

the sites that may close are no longer *existing* (nothing fixes them open; their own role
costs :math:`w_R r_j`), and the sites kept open pay their running cost out of the budget:
:math:`\tilde B = B - w_R \sum_{j \text{ kept}} r_j`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Final, Literal

import numpy as np

from planner.errors import InfeasibleError

if TYPE_CHECKING:
    from planner.model.coverage.instance import BoolArray, CoverageInstance, FloatArray

__all__ = ["BASIS_WEIGHTS", "Basis", "with_running_costs"]

Basis = Literal["investment", "yearly", "total"]

BASIS_WEIGHTS: Final[dict[str, tuple[float, float]]] = {
    "investment": (1.0, 0.0),
    "yearly": (0.0, 1.0),
    "total": (1.0, 1.0),  # the running weight is the number of years
}
"""Weights ``(w_I, w_R)`` of the one-off and the yearly euros per basis (``total``: times N)."""


def with_running_costs(
    instance: CoverageInstance,
    *,
    running_house: FloatArray | None = None,
    running_antenne: FloatArray | None = None,
    basis: Basis = "investment",
    years: float = 1.0,
    may_close: BoolArray | None = None,
) -> CoverageInstance:
    r"""Return the instance whose costs and budget are what the budget's basis counts.

    Parameters
    ----------
    instance
        The instance with one-off costs, existing sites and the budget.
    running_house, running_antenne
        :math:`r^H_j`, :math:`r^A_j`, euro a year per site and role (None: 0).
    basis
        ``investment``, ``yearly`` or ``total``.
    years
        :math:`N` for ``total``.
    may_close
        Existing sites that may close although ``keep_existing`` keeps the others.

    Returns
    -------
    CoverageInstance
        The same instance when nothing changes (investment basis, no site may close).

    Raises
    ------
    InfeasibleError
        When the running costs of the sites kept open already exceed the budget.
    """
    n = instance.n_sites
    closable = np.zeros(n, dtype=bool) if may_close is None else np.asarray(may_close, bool)
    existing = instance.existing_house | instance.existing_antenne
    variable = existing & (closable | (not instance.keep_existing))
    if basis == "investment" and not (closable & existing).any():
        return instance
    w_inv, w_run = BASIS_WEIGHTS[basis]
    if basis == "total":
        w_run = float(years)
    rh = np.zeros(n) if running_house is None else np.nan_to_num(running_house)
    ra = np.zeros(n) if running_antenne is None else np.nan_to_num(running_antenne)
    cost_house = w_inv * np.where(instance.existing_house, 0.0, instance.cost_house) + w_run * rh
    cost_antenne = (
        w_inv * np.where(instance.existing_antenne, 0.0, instance.cost_antenne) + w_run * ra
    )
    kept_house = instance.existing_house & ~variable
    kept_antenne = instance.existing_antenne & ~variable
    running_kept = w_run * float(rh[kept_house].sum() + ra[kept_antenne].sum())
    budget = instance.budget - running_kept
    if budget < 0:
        raise InfeasibleError(
            f"the sites kept open cost EUR {running_kept:,.0f} ({basis}) to run, more than the "
            f"budget of EUR {instance.budget:,.0f}: raise budget.amount_eur or let sites close "
            "(rules.may_close, objective.keep_existing: false)"
        )
    return dataclasses.replace(
        instance,
        cost_house=cost_house,
        cost_antenne=cost_antenne,
        can_house=instance.can_house | (instance.existing_house & variable),
        can_antenne=instance.can_antenne | (instance.existing_antenne & variable),
        existing_house=kept_house,
        existing_antenne=kept_antenne,
        budget=budget,
    )
