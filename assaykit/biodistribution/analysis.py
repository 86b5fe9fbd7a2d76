"""``analyze_biodistribution``: counter export(s) + layout → an :class:`~assaykit.result.AssayResult`.

Steps: merge the runs and match tubes to the layout by rack + position; subtract the
background (mean of blank tubes); decay-correct every tube from the start of its own count to
one reference time, decay during the count included; the injected activity of every animal
at the same time (standards × dilution or dose calibrator, minus the tail); then %IA/g, %IA
and SUV per animal and organ, group summaries, tumour-to-organ ratios and group comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from assaykit.result import AssayResult, Figure, qc_row, qc_table

if TYPE_CHECKING:
    import pandas as pd

    from assaykit._typing import GroupTest, PAdjust, RecountPolicy, UnknownTubePolicy
    from assaykit.layout.biodistribution import BiodistributionLayout

__all__ = ["analyze_biodistribution"]


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:  # pragma: no cover - a source checkout
        return "(version unknown)"


def analyze_biodistribution(
    counts: pd.DataFrame | Sequence[pd.DataFrame],
    layout: BiodistributionLayout,
    *,
    isotope: str | None = None,
    reference_time: Any = None,
    background_cpm: float | None = None,
    low_counts: float = 500.0,
    dead_time_s: float | None = None,
    max_dead_time_loss: float = 0.05,
    max_tail_pct: float = 10.0,
    recount: RecountPolicy = "mean",
    unknown_tubes: UnknownTubePolicy = "raise",
    tumor: str | None = None,
    reference_group: str | None = None,
    test: GroupTest = "welch",
    padjust: PAdjust = "holm",
    alpha: float = 0.05,
    half_lives: Mapping[str, Any] | None = None,
    figures: bool = True,
) -> AssayResult:
    """Analyze an ex-vivo biodistribution study (pure: frames in, an AssayResult out).

    Parameters
    ----------
    counts
        The counter table (:func:`assaykit.io.read_export`) or a list of them (racks counted in
        several runs); not modified.
    layout
        The checked layout (:func:`assaykit.layout.biodistribution.read_biodistribution_layout`).
    isotope, reference_time
        Override the Experiment sheet (default reference: the first injection). %IA does not
        depend on the reference time.
    background_cpm
        A known background instead of the mean of the blank tubes.
    low_counts
        Tubes with fewer net counts are flagged ``low_counts`` (BioDist's 500).
    dead_time_s, max_dead_time_loss
        Counter dead time (s) to estimate the loss ``m·τ`` (a Hidex ``dead_time`` column is used
        when present); tubes losing more are flagged.
    max_tail_pct
        A tail holding more of the dose is reported in QC.
    recount
        A tube counted more than once: ``mean`` of the decay-corrected values, ``first``, ``last``.
    unknown_tubes
        Counted tubes missing from the layout: ``raise`` (default) or ``ignore`` (QC row).
    tumor
        Organ name of the tumour (default the Experiment sheet's, else ``tumor``).
    reference_group, test, padjust, alpha
        Group comparisons per organ (:func:`assaykit.biodistribution.stats.compare_groups`).
    half_lives
        Nuclide → half-life overrides.
    figures
        Build the figures (off for speed in batch work).

    Returns
    -------
    AssayResult
        Tables ``biodistribution`` (long: one row per animal and organ), ``summary``,
        ``paper``, ``dosimetry``, ``ratios``, ``ratios_per_animal``, ``statistics``,
        ``animals`` and ``tubes``; figures ``organs_pct_ia_per_g``, ``tumor_ratios`` and
        ``timecourse`` (several time points); QC rows; settings; summary lines; methods.
    """
    import pandas as pd

    from assaykit.biodistribution.dose import injected_activity
    from assaykit.biodistribution.stats import compare_groups
    from assaykit.biodistribution.tables import (
        dosimetry_table,
        group_summary,
        organ_values,
        paper_table,
        time_label,
        tumor_ratios,
    )
    from assaykit.biodistribution.tubes import correct_tubes
    from assaykit.counting import half_life_info

    tubes, qc, settings = correct_tubes(
        counts,
        layout,
        isotope=isotope,
        reference_time=reference_time,
        background_cpm=background_cpm,
        low_counts=low_counts,
        dead_time_s=dead_time_s,
        max_dead_time_loss=max_dead_time_loss,
        recount=recount,
        unknown_tubes=unknown_tubes,
        half_lives=half_lives,
    )
    info = half_life_info(settings["isotope"], half_lives=half_lives)
    animals, qc_dose = injected_activity(
        tubes,
        layout.animals,
        layout.experiment,
        reference_time=settings["reference_time"],
        half_life_s=info.seconds,
        max_tail_pct=max_tail_pct,
    )
    qc += qc_dose
    for a in animals[animals["excluded"] != ""].itertuples(index=False):
        qc.append(qc_row("info", f"animal {a.animal}", f"left out of the summaries: {a.excluded}"))
    long = organ_values(tubes, animals)
    for a in sorted(set(animals["animal"]) - set(long["animal"])):
        qc.append(
            qc_row(
                "warning", f"animal {a}", "no tissue tube: the animal is in no table but 'animals'"
            )
        )
    missing_w = long["body_weight_g"].isna() & (long["status"] == "ok")
    if missing_w.any():
        qc.append(
            qc_row(
                "warning",
                ", ".join(dict.fromkeys(long.loc[missing_w, "animal"])),
                "no body weight: SUV not computed",
            )
        )
    summary = group_summary(long)
    tumor = tumor or layout.experiment.get("tumor_organ") or "tumor"
    if tumor in set(long["organ"]):
        per_animal, ratios = tumor_ratios(long, tumor)
    else:
        per_animal, ratios = pd.DataFrame(), pd.DataFrame()
        qc.append(qc_row("info", "organs", f"no organ named {tumor!r}: no tumour-to-organ ratios"))
    stats_table, qc_stats = compare_groups(
        long, reference_group=reference_group, test=test, padjust=padjust, alpha=alpha
    )
    qc += qc_stats
    settings.update(
        tumor_organ=tumor,
        test=test,
        reference_group=reference_group or next(iter(dict.fromkeys(long["group"])), ""),
        padjust=padjust,
        alpha=alpha,
        max_tail_pct=max_tail_pct,
        efficiency=layout.experiment.get("efficiency"),
        layout_path=layout.path or "",
        quantity_definitions=(
            "pct_ia = 100·A/ID; pct_ia_per_g = pct_ia/mass_g; suv = pct_ia_per_g·body_weight_g/100"
        ),
    )
    tables = {
        "biodistribution": long,
        "summary": summary,
        "paper": paper_table(summary, ratios if len(ratios) else None),
        "dosimetry": dosimetry_table(summary),
        "ratios": ratios,
        "ratios_per_animal": per_animal,
        "statistics": stats_table,
        "animals": animals,
        "tubes": tubes,
    }
    figs: dict[str, Figure] = {}
    if figures:
        from assaykit.biodistribution.figures import plot_organs, plot_ratios, plot_timecourse

        tracer = layout.experiment.get("tracer") or ""
        n_org = long["organ"].nunique()
        n_times = long["time_pi_min"].nunique()
        figs["organs_pct_ia_per_g"] = Figure(
            plot_organs(long, title=tracer),
            width=max(5.0, 0.55 * n_org + 2),
            height=1.2 + 3.0 * n_times,
            caption="%IA/g per organ: bars mean ± SD, points individual animals",
        )
        if len(per_animal):
            figs["tumor_ratios"] = Figure(
                plot_ratios(per_animal, long, tumor=tumor),
                width=max(4.5, 0.5 * n_org + 2),
                height=1.0 + 3.0 * n_times,
                caption="tumour-to-organ ratios: bars mean of per-animal ratios ± SD",
            )
        if long["time_pi_min"].nunique() > 1:
            figs["timecourse"] = Figure(
                plot_timecourse(summary, long),
                width=9.0,
                height=7.0,
                caption="%IA/g over time p.i. (mean ± SD)",
            )
    used = animals[animals["excluded"] == ""]
    n_groups: dict[Any, int] = used.groupby(["group", "time_pi_min"], sort=False).size().to_dict()
    n_text = ", ".join(f"{g} {time_label(t)}: n = {n}" for (g, t), n in n_groups.items())
    lines = [f"{len(used)} animals analysed ({n_text}); {len(animals) - len(used)} left out"]
    if tumor in set(summary["organ"]):
        r: Any
        for r in summary[summary["organ"] == tumor].itertuples(index=False):
            lines.append(
                f"{r.group}, {time_label(r.time_pi_min)}: {tumor} {r.pct_ia_per_g_mean:.2f} ± {r.pct_ia_per_g_sd:.2f} %IA/g (n = {r.n}; 95 % CI {r.pct_ia_per_g_ci_low:.2f} to {r.pct_ia_per_g_ci_high:.2f})"
            )
    methods = (
        f"Organs were weighed (mass = filled − tare tube weight) and counted in a gamma counter "
        f"({settings['isotope']} window). Net count rates (background: {settings['background']}) "
        f"were decay-corrected from the start of each count to {settings['reference_time']} "
        f"({settings['reference_time_rule']}; T½ {info.value:g} {info.unit}, {info.source}), "
        "including the decay during the count (λΔt/(1 − e^(−λΔt))). The injected activity of each "
        "animal (injectate standards × dilution factor, or dose calibrator readings of the full "
        "and empty syringe each decay-corrected from its own measurement time) minus the "
        "activity in the tail gave %IA = 100·A/ID, %IA/g = %IA/mass and SUV = %IA/g·body weight"
        "/100. Values are mean ± SD of animals; tumour-to-organ ratios are means of per-animal "
        "ratios. "
        + (
            f"Groups were compared per organ with Welch's t-test, p adjusted across organs ({padjust}), "
            "using pingouin; 95 % CIs of differences are t-based."
            if test == "welch"
            else f"Groups were compared per organ by one-way ANOVA (pingouin), p adjusted across organs ({padjust})."
            if test == "anova"
            else ""
        )
    )
    methods += f" Computed with assaykit {_version('assaykit')} (pingouin {_version('pingouin')})."
    return AssayResult(
        assay="biodistribution",
        tables=tables,
        figures=figs,
        settings=settings,
        qc=qc_table(qc),
        summary=lines,
        methods=methods,
        n_statement="n = animals per group and time point (one value per animal and organ; tubes of one organ summed)",
        data={},
    )
