# Reference fits for assaykit's saturation-binding models (tests/binding/test_saturation_r.py).
# Simulated saturation experiments with counting noise; fitted by R's nls (Gauss-Newton) with
# starts from minpack.lm::nlsLM; profile CIs from confint() (MASS profile for nls).
# Run from this folder: Rscript make_reference.R  (writes data.csv, values.csv, anova.csv)
suppressPackageStartupMessages({library(minpack.lm); library(MASS)})
set.seed(20261205)
conc_nM <- c(0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 24)
data <- list(); values <- list(); anovas <- list()

add_values <- function(case, fit, map) {
  s <- summary(fit)$coefficients
  ci <- suppressMessages(confint(fit, level = 0.95))
  for (p in names(map)) {
    values[[length(values) + 1]] <<- data.frame(
      case = case, param = map[[p]], estimate = s[p, 1], se = s[p, 2],
      ci_low = ci[p, 1], ci_high = ci[p, 2], rss = deviance(fit), df = df.residual(fit))
  }
}

# 1. one site, total and nonspecific fitted globally (shared NS, Bkg fixed 0); triplicates,
#    Poisson counts from 1-min counts plus a 3 % pipetting CV
bmax <- 5000; kd <- 1.5; ns <- 80
X <- rep(conc_nM, each = 3)
tot_true <- bmax * X / (kd + X) + ns * X
nsb_true <- ns * X
tot <- rpois(length(X), tot_true * rnorm(length(X), 1, 0.03))
nsb <- rpois(length(X), nsb_true * rnorm(length(X), 1, 0.03))
d1 <- data.frame(case = "global", kind = rep(c("total", "nsb"), each = length(X)),
                 conc_M = c(X, X) * 1e-9, response = c(tot, nsb))
d1$s <- as.numeric(d1$kind == "total"); d1$X <- d1$conc_M * 1e9
st <- coef(nlsLM(response ~ s * Bmax * X / (Kd + X) + NS * X, data = d1,
                 start = list(Bmax = 4000, Kd = 1, NS = 50)))
f1 <- nls(response ~ s * Bmax * X / (Kd + X) + NS * X, data = d1, start = as.list(st))
add_values("global", f1, list(Bmax = "bmax_cpm", Kd = "kd_nM", NS = "ns_cpm_per_nM"))
data[[1]] <- d1

# 2. same design, Bkg (intercept of both curves) fitted too
d2 <- d1; d2$case <- "global_bkg"; d2$response <- d2$response + rpois(nrow(d2), 40)
st <- coef(nlsLM(response ~ s * Bmax * X / (Kd + X) + NS * X + Bkg, data = d2,
                 start = list(Bmax = 4000, Kd = 1, NS = 50, Bkg = 10)))
f2 <- nls(response ~ s * Bmax * X / (Kd + X) + NS * X + Bkg, data = d2, start = as.list(st))
add_values("global_bkg", f2, list(Bmax = "bmax_cpm", Kd = "kd_nM", NS = "ns_cpm_per_nM", Bkg = "bkg_cpm"))
data[[2]] <- d2

# 3. one site, total binding only (NS fitted, Bkg fixed 0)
d3 <- d1[d1$kind == "total", ]; d3$case <- "total"
st <- coef(nlsLM(response ~ Bmax * X / (Kd + X) + NS * X, data = d3,
                 start = list(Bmax = 4000, Kd = 1, NS = 50)))
f3 <- nls(response ~ Bmax * X / (Kd + X) + NS * X, data = d3, start = as.list(st))
add_values("total", f3, list(Bmax = "bmax_cpm", Kd = "kd_nM", NS = "ns_cpm_per_nM"))
data[[3]] <- d3

# 4. specific binding (already total - NSB), two sites in truth; one- and two-site fits, anova
X4 <- rep(c(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64), each = 2)
sp_true <- 1500 * X4 / (0.3 + X4) + 3000 * X4 / (12 + X4)
d4 <- data.frame(case = "specific", kind = "specific", conc_M = X4 * 1e-9,
                 response = sp_true + rnorm(length(X4), 0, 40))
d4$s <- 1; d4$X <- X4
st <- coef(nlsLM(response ~ Bmax * X / (Kd + X), data = d4, start = list(Bmax = 4000, Kd = 2)))
f4 <- nls(response ~ Bmax * X / (Kd + X), data = d4, start = as.list(st))
add_values("specific", f4, list(Bmax = "bmax_cpm", Kd = "kd_nM"))
st <- coef(nlsLM(response ~ B1 * X / (K1 + X) + B2 * X / (K2 + X), data = d4,
                 start = list(B1 = 1000, K1 = 0.5, B2 = 3000, K2 = 10)))
f5 <- nls(response ~ B1 * X / (K1 + X) + B2 * X / (K2 + X), data = d4, start = as.list(st))
s5 <- summary(f5)$coefficients
for (p in c("B1", "K1", "B2", "K2")) {
  nm <- c(B1 = "bmax_hi_cpm", K1 = "kd_hi_nM", B2 = "bmax_lo_cpm", K2 = "kd_lo_nM")[[p]]
  values[[length(values) + 1]] <- data.frame(case = "two_site", param = nm, estimate = s5[p, 1],
    se = s5[p, 2], ci_low = NA, ci_high = NA, rss = deviance(f5), df = df.residual(f5))
}
a <- anova(f4, f5)
anovas[[1]] <- data.frame(case = "specific", f = a$`F value`[2], p = a$`Pr(>F)`[2],
                          rss_one = deviance(f4), rss_two = deviance(f5),
                          df_one = df.residual(f4), df_two = df.residual(f5))
data[[4]] <- d4

# 5. specific binding with a Hill slope
d5 <- d4; d5$case <- "hill"
d5$response <- 2500 * X4^0.8 / (2^0.8 + X4^0.8) + rnorm(length(X4), 0, 30)
st <- coef(nlsLM(response ~ Bmax * X^h / (Kd^h + X^h), data = d5, start = list(Bmax = 2000, Kd = 1, h = 1)))
f6 <- nls(response ~ Bmax * X^h / (Kd^h + X^h), data = d5, start = as.list(st))
add_values("hill", f6, list(Bmax = "bmax_cpm", Kd = "kd_nM", h = "hill"))
data[[5]] <- d5

# 6. the global fit weighted by 1/Y (Poisson counting: variance = counts); tubes with 0 cpm
#    have no weight and are left out (as assaykit does)
d6 <- d1[d1$response > 0, ]; d6$case <- "global_poisson"
f7 <- nls(response ~ s * Bmax * X / (Kd + X) + NS * X, data = d6, start = as.list(coef(f1)),
          weights = 1 / response)
add_values("global_poisson", f7, list(Bmax = "bmax_cpm", Kd = "kd_nM", NS = "ns_cpm_per_nM"))
data[[6]] <- d6

out <- do.call(rbind, lapply(data, function(d) d[, c("case", "kind", "conc_M", "response")]))
write.csv(out, "data.csv", row.names = FALSE)
write.csv(do.call(rbind, values), "values.csv", row.names = FALSE)
write.csv(do.call(rbind, anovas), "anova.csv", row.names = FALSE)
cat(R.version.string, "\n")
