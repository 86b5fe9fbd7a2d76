# Reference fits for the kinetics models (run from this folder: Rscript make_reference.R).
# Data: data.csv (simulated by make_data.py). Least squares by minpack.lm::nlsLM on the same
# equations as assaykit/binding/kinetics_models.py (DOMAIN §8.2, Prism's forms), with rate
# constants per nM per minute (kon) and per minute (koff); SEs from summary() (s² (JᵀJ)⁻¹).
# Output: values.csv (dataset, param, estimate, se, rss, df).
suppressPackageStartupMessages({library(minpack.lm); library(MASS)})
d <- read.csv("data.csv")
ctl <- nls.lm.control(ftol = 1e-15, ptol = 1e-15, maxiter = 1000)
out <- list()
add <- function(name, fit, x) {
  s <- summary(fit)$coefficients
  out[[name]] <<- data.frame(dataset = name, param = rownames(s), estimate = s[, 1], se = s[, 2],
                             rss = sum(residuals(fit)^2), df = df.residual(fit))
}
# one-phase dissociation to NS
x <- subset(d, dataset == "dissociation")
fit <- nlsLM(response ~ (y0 - ns) * exp(-koff * time_min) + ns, data = x,
             start = list(y0 = 9000, koff = 0.05, ns = 0), control = ctl)
add("dissociation", fit, x)
# global association: kobs = kon L + koff, Ymax = Bmax L/(L + koff/kon)
x <- subset(d, dataset == "association_global")
fit <- nlsLM(response ~ bmax * conc_nM / (conc_nM + koff / kon) * (1 - exp(-(kon * conc_nM + koff) * time_min)),
             data = x, start = list(kon = 0.05, koff = 0.2, bmax = 15000), control = ctl)
add("association_global", fit, x)
# the same, weighted by the Poisson variance of each decay-corrected point (weights 1/sd^2)
fit <- nlsLM(response ~ bmax * conc_nM / (conc_nM + koff / kon) * (1 - exp(-(kon * conc_nM + koff) * time_min)),
             data = x, weights = 1 / response_sd^2,
             start = list(kon = 0.05, koff = 0.2, bmax = 15000), control = ctl)
out[["association_global_weighted"]] <- {
  s <- summary(fit)$coefficients
  data.frame(dataset = "association_global_weighted", param = rownames(s), estimate = s[, 1],
             se = s[, 2], rss = deviance(fit), df = df.residual(fit))
}
# Motulsky-Mahan, K1 = 0.1 /nM/min, K2 = 0.1 /min fixed; K3, K4, Bmax fitted
x <- subset(d, dataset == "competition")
mm <- function(t, L, I, k3, k4, bmax, k1 = 0.1, k2 = 0.1) {
  KA <- k1 * L + k2; KB <- k3 * I + k4
  S <- sqrt((KA - KB)^2 + 4 * k1 * k3 * L * I)
  KF <- (KA + KB + S) / 2; KS <- (KA + KB - S) / 2
  Q <- bmax * k1 * L / (KF - KS)
  Q * (k4 * (KF - KS) / (KF * KS) + (k4 - KF) / KF * exp(-KF * t) - (k4 - KS) / KS * exp(-KS * t))
}
fit <- nlsLM(response ~ mm(time_min, conc_nM, comp_nM, k3, k4, bmax), data = x,
             start = list(k3 = 0.005, k4 = 0.04, bmax = 15000), control = ctl)
add("competition", fit, x)
res <- do.call(rbind, out)
write.csv(res, "values.csv", row.names = FALSE)
print(res, digits = 10)

# Profile-likelihood 95 % limits (MASS confint on nls, i.e. the F-based cut-off) of the global
# association, once with kon and once with Kd = koff/kon (nM) as a parameter -> profile.csv
x <- subset(d, dataset == "association_global")
ctl2 <- nls.control(tol = 1e-7)
f_kon <- nls(response ~ bmax * conc_nM / (conc_nM + koff / kon) * (1 - exp(-(kon * conc_nM + koff) * time_min)),
             data = x, start = list(kon = 0.1, koff = 0.12, bmax = 20000), control = ctl2)
f_kd <- nls(response ~ bmax * conc_nM / (conc_nM + kd) * (1 - exp(-(koff / kd * conc_nM + koff) * time_min)),
            data = x, start = list(kd = 1.2, koff = 0.12, bmax = 20000), control = ctl2)
ci <- rbind(confint(f_kon), confint(f_kd)["kd", , drop = FALSE])
prof <- data.frame(dataset = "association_global", param = rownames(ci), ci_low = ci[, 1], ci_high = ci[, 2])
write.csv(prof, "profile.csv", row.names = FALSE)
print(prof, digits = 10)
