"""The whole uptake analysis on tables: :func:`analyze` (no files)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from assaykit.errors import LayoutError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["analyze"]


def analyze(
    table: pd.DataFrame,
    layout: pd.DataFrame | None = None,
    *,
    isotope: str | None = None,
    reference_time: Any = None,
    decay: bool = True,
    by_count_time: bool = False,
    applied: Literal["standards", "sum"] = "standards",
    mass_balance_range: tuple[float, float] = (0.9, 1.1),
    cells_per_well: float | None = None,
    tracer: str = "tracer",
    blocked: str = "blocked",
    padjust: str = "holm",
    reference: str | None = None,
    fit: bool = True,
    fit_weighting: str | None = None,
    half_lives: Mapping[str, Any] | None = None,
) -> dict[str, pd.DataFrame]:
    """Analyse an uptake / internalization run: corrected counts, % applied, statistics, fits.

    Parameters
    ----------
    table
        Counter table (docs/CONTRACTS.md §1), already annotated (``role``, ``fraction``,
        ``time_min``, ``condition``, ``replicate``) or annotated here with ``layout``.
    layout
        Layout frame (:func:`assaykit.layout.read_layout`); merged with
        :func:`assaykit.layout.annotate`.
    isotope, reference_time, decay, by_count_time, half_lives
        Counting corrections, see :func:`~assaykit.uptake.corrections.correct_tubes`.
    applied, mass_balance_range, cells_per_well
        See :func:`~assaykit.uptake.fractions.per_well`.
    tracer, blocked
        Condition names of the unblocked and blocked wells (specific uptake, t-tests).
    padjust
        Multiple-comparison correction over time points (Holm default; pingouin names).
    reference
        Compound whose specific internalization is 100 % (``% of reference``), optional.
    fit, fit_weighting
        Fit one-phase association curves (``fit_weighting``: ``None`` or ``'1/y2'``).

    Returns
    -------
    dict of DataFrames: ``per_tube``, ``per_well``, ``summary``, ``specific``, ``stats``
    (Welch t-tests), ``anova`` (two-way, time × condition), ``fits``, ``reference`` (when
    asked) and ``settings`` (option, value).

    Examples
    --------
    >>> from assaykit.datasets.uptake import load_example
    >>> res = analyze(*load_example())
    >>> s = res["summary"]
    >>> tr = s[(s.quantity == "internalized_pct") & (s.condition == "tracer")]
    >>> tr["time_min"].tolist(), tr["n"].tolist()
    ([5.0, 15.0, 30.0, 60.0, 120.0], [3, 3, 3, 3, 3])
    """
    import pandas as pd

    from assaykit.uptake.corrections import correct_tubes
    from assaykit.uptake.fit import fit_association
    from assaykit.uptake.fractions import per_well
    from assaykit.uptake.stats import compare_conditions, two_way_anova
    from assaykit.uptake.summary import percent_of_reference, specific_uptake, summarize

    if layout is not None:
        from assaykit.layout import annotate

        table = annotate(table, layout)
    if "role" not in table.columns:
        raise LayoutError(
            "the table has no 'role' column: give the filled uptake template (--layout) "
            "or a table that already has the layout columns"
        )
    kind = table.attrs.get("kind")
    if kind not in (None, "uptake", "counter"):
        raise LayoutError(f"the layout is a {kind!r} layout; expected an uptake layout")
    tubes = correct_tubes(
        table,
        isotope=isotope,
        reference_time=reference_time,
        decay=decay,
        by_count_time=by_count_time,
        half_lives=half_lives,
    )
    wells = per_well(
        tubes, applied=applied, mass_balance_range=mass_balance_range, cells_per_well=cells_per_well
    )
    quantities = [
        c
        for c in wells.columns
        if c.endswith(("_pct", "_per_1e6_cells", "_per_mg_protein")) or c == "mass_balance"
    ]
    summary = summarize(wells, quantities)
    conditions = set(wells["condition"])
    paired = tracer in conditions and blocked in conditions
    specific = (
        specific_uptake(summary, tracer=tracer, blocked=blocked) if paired else pd.DataFrame()
    )
    stats = (
        compare_conditions(wells, tracer=tracer, blocked=blocked, padjust=padjust)
        if paired
        else pd.DataFrame()
    )
    anova = two_way_anova(wells) if paired else pd.DataFrame()
    out = {
        "per_tube": tubes,
        "per_well": wells,
        "summary": summary,
        "specific": specific,
        "stats": stats,
        "anova": anova,
        "fits": fit_association(wells, weighting=fit_weighting) if fit else pd.DataFrame(),
    }
    if reference is not None:
        if not paired:
            raise LayoutError("% of reference needs tracer and blocked wells (specific uptake)")
        out["reference"] = percent_of_reference(specific, reference)
    settings = dict(tubes.attrs.get("settings", {}))
    settings.update(
        applied_activity="mean of standard tubes"
        if applied == "standards"
        else "S + A + L of each well",
        mass_balance_range=f"{mass_balance_range[0]}–{mass_balance_range[1]}",
        tracer_condition=tracer,
        blocked_condition=blocked,
        specific_uptake="tracer − blocked on means; SD = sqrt(SD_t² + SD_b²)",
        t_test="Welch (unequal variances), two-sided, pingouin.ttest",
        multiple_comparisons=f"{padjust} across time points per quantity and compound",
        anova="two-way (time × condition), pingouin.anova, SS type 2",
        fit=(
            "one-phase association Y = plateau·(1 − exp(−k·t)), assaykit.fitting, "
            f"weights {fit_weighting or 'none'}"
            if fit
            else "off"
        ),
        reference_compound=reference or "",
        unannotated_tubes=table.attrs.get("unannotated", ""),
    )
    out["settings"] = pd.DataFrame(
        {"setting": list(settings), "value": [str(v) for v in settings.values()]}
    )
    return out
