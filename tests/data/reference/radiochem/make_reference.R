# One-phase decay of % intact (serum stability) fitted with nls: the reference for
# tests/radiochem/test_properties.py. Run: Rscript make_reference.R  (writes values.csv)
t <- c(0, 0, 30, 30, 60, 60, 120, 120, 240, 240)
y <- c(99.1, 98.4, 93.0, 94.2, 88.9, 87.7, 79.5, 80.6, 64.1, 65.3)
fit <- nls(y ~ y0 * exp(-k * t), start = list(y0 = 100, k = 0.002))
s <- summary(fit)$coefficients
ci <- suppressMessages(confint(fit, level = 0.95))  # profile CI (MASS/stats)
out <- data.frame(
  param = c("y0", "k"),
  estimate = s[, "Estimate"], se = s[, "Std. Error"],
  ci_low = ci[, 1], ci_high = ci[, 2]
)
write.csv(out, "values.csv", row.names = FALSE)
print(out, digits = 10)
