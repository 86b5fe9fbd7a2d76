# Reference values for assaykit's biodistribution group comparison (tests/biodistribution/test_stats.py).
# Welch two-sample t-test per organ (blocked vs control, %IA/g), Holm adjustment across organs.
# Run: Rscript make_reference.R  (writes input.csv and values.csv beside this script)
# R's stats only; the input values are made-up %IA/g of 5 control and 4 blocked animals.
organs <- c("tumor", "blood", "liver", "kidney", "muscle")
control <- list(
  tumor  = c(16.2, 13.9, 19.4, 15.1, 17.8),
  blood  = c(1.21, 1.45, 1.10, 1.33, 1.28),
  liver  = c(2.05, 1.88, 2.31, 1.97, 2.12),
  kidney = c(1.62, 1.95, 1.48, 1.71, 1.83),
  muscle = c(0.36, 0.31, 0.40, 0.33, 0.35)
)
blocked <- list(
  tumor  = c(2.3, 1.9, 2.6, 2.1),
  blood  = c(1.35, 1.52, 1.41, 1.60),
  liver  = c(1.81, 1.95, 1.70, 1.88),
  kidney = c(2.55, 2.81, 2.40, 2.62),
  muscle = c(0.34, 0.38, 0.33, 0.36)
)
rows <- list()
inp <- list()
for (o in organs) {
  tt <- t.test(blocked[[o]], control[[o]], var.equal = FALSE)
  rows[[o]] <- data.frame(organ = o, t = unname(tt$statistic), df = unname(tt$parameter),
                          p = tt$p.value, ci_low = tt$conf.int[1], ci_high = tt$conf.int[2],
                          diff = mean(blocked[[o]]) - mean(control[[o]]))
  inp[[o]] <- rbind(
    data.frame(animal = paste0("C", seq_along(control[[o]])), group = "control", organ = o, pct_ia_per_g = control[[o]]),
    data.frame(animal = paste0("B", seq_along(blocked[[o]])), group = "blocked", organ = o, pct_ia_per_g = blocked[[o]])
  )
}
res <- do.call(rbind, rows)
res$p_holm <- p.adjust(res$p, method = "holm")
write.csv(do.call(rbind, inp), "input.csv", row.names = FALSE)
out <- res
for (c in c("t", "df", "p", "ci_low", "ci_high", "diff", "p_holm")) out[[c]] <- sprintf("%.12g", out[[c]])
write.csv(out, "values.csv", row.names = FALSE, quote = FALSE)
cat(R.version.string, "\n")

# One-way ANOVA across three groups per organ (summary(aov)), Holm across organs.
third <- list(tumor = c(1.5, 1.9, 1.7, 2.2, 1.4), liver = c(2.4, 2.1, 2.6, 2.2, 2.5))
arows <- list()
ainp <- list()
for (o in c("tumor", "liver")) {
  d <- rbind(
    data.frame(animal = paste0("C", 1:5), group = "control", pct_ia_per_g = control[[o]]),
    data.frame(animal = paste0("B", 1:4), group = "blocked", pct_ia_per_g = blocked[[o]]),
    data.frame(animal = paste0("N", 1:5), group = "NOTA", pct_ia_per_g = third[[o]])
  )
  d$organ <- o
  s <- summary(aov(pct_ia_per_g ~ group, data = d))[[1]]
  arows[[o]] <- data.frame(organ = o, F = s[["F value"]][1], df_between = s[["Df"]][1],
                           df_within = s[["Df"]][2], p = s[["Pr(>F)"]][1])
  ainp[[o]] <- d
}
ares <- do.call(rbind, arows)
ares$p_holm <- p.adjust(ares$p, method = "holm")
write.csv(do.call(rbind, ainp), "anova_input.csv", row.names = FALSE)
for (c in c("F", "p", "p_holm")) ares[[c]] <- sprintf("%.12g", ares[[c]])
write.csv(ares, "anova_values.csv", row.names = FALSE, quote = FALSE)
