# Reference values for assaykit.binding.competition (tests/binding/test_competition_reference.py).
#
# Simulates competition data with realistic counting noise (3 % log-normal pipetting, Poisson
# counts of a 1-min count), writes them as data_<case>.csv, and fits them with R's
# minpack.lm::nlsLM on the same equations. Writes:
#   values.csv   case, param, estimate, se, profile_low, profile_high (uniroot on the refitted
#                profile: RSS(theta) = RSS_min * (1 + t^2/df)), mass_low, mass_high (confint, MASS)
#   fits.csv     case, rss, df, n, aic (R's AIC), aicc (= AIC + 2K(K+1)/(N-K-1), K = p + 1)
#   anova.csv    case, f, p (anova(one_site, two_site)), df_num, df_den
# Run: Rscript make_reference.R   (R 4.2.2, minpack.lm 1.2.3, MASS)
suppressMessages({library(minpack.lm); library(MASS)})
set.seed(20261205)
here <- tryCatch(dirname(normalizePath(sys.frame(1)$ofile)), error = function(e) ".")
args <- commandArgs(trailingOnly = FALSE)
f <- sub("--file=", "", args[grep("--file=", args)])
if (length(f)) here <- dirname(normalizePath(f))

counts <- function(mu) {
  mu <- mu * exp(rnorm(length(mu), 0, 0.03))
  as.numeric(rpois(length(mu), mu))
}
ctl <- nls.lm.control(ftol = 1e-15, ptol = 1e-15, gtol = 0, maxiter = 1000)

values <- list(); fits <- list(); anovas <- list()

profile_limits <- function(form, data, fit, par, w = NULL) {
  est <- coef(fit); se <- summary(fit)$coefficients[, 2]
  rss <- deviance(fit); dfr <- df.residual(fit)
  target <- rss * (1 + qt(0.975, dfr)^2 / dfr)
  others <- setdiff(names(est), par)
  prss <- function(v) {
    d2 <- data; d2[[par]] <- v
    g <- if (is.null(w)) nlsLM(form, data = d2, start = as.list(est[others]), control = ctl) else
      nlsLM(form, data = d2, start = as.list(est[others]), control = ctl, weights = wts)
    deviance(g) - target
  }
  out <- c()
  for (side in c(-1, 1)) {
    step <- se[[par]]; inner <- est[[par]]; outer <- NA
    for (k in 1:20) {
      v <- est[[par]] + side * step
      if (prss(v) > 0) { outer <- v; break }
      inner <- v; step <- 2 * step
    }
    out <- c(out, if (is.na(outer)) side * Inf else
      uniroot(prss, sort(c(inner, outer)), tol = 1e-12)$root)
  }
  out
}

record <- function(case, form, data, start, profile = TRUE, w = NULL) {
  if (!is.null(w)) data$wts <- w  # weights are looked up in the data, as nls does
  fit <- if (is.null(w)) nlsLM(form, data = data, start = start, control = ctl) else
    nlsLM(form, data = data, start = start, control = ctl, weights = wts)
  s <- summary(fit)$coefficients
  ci <- tryCatch(suppressMessages(confint(fit)), error = function(e) NULL)
  for (p in rownames(s)) {
    pl <- if (profile) profile_limits(form, data, fit, p, w) else c(NA, NA)
    ml <- if (is.null(ci)) c(NA, NA) else ci[p, ]
    values[[length(values) + 1]] <<- data.frame(
      case = case, param = p, estimate = s[p, 1], se = s[p, 2],
      profile_low = pl[1], profile_high = pl[2], mass_low = ml[1], mass_high = ml[2])
  }
  n <- nrow(data); k <- length(coef(fit)) + 1
  fits[[length(fits) + 1]] <<- data.frame(
    case = case, rss = sum(if (is.null(w)) resid(fit)^2 else w * resid(fit)^2), df = df.residual(fit), n = n, aic = AIC(fit),
    aicc = AIC(fit) + 2 * k * (k + 1) / (n - k - 1))
  invisible(fit)
}

grid <- c(0, 10^seq(-11, -5, by = 0.5))

# 1. fit Ki directly: one site, slope -1, [L] = 0.5 nM, Kd = 1 nM, Ki = 10 nM
L <- 0.5e-9; Kd <- 1e-9; fac <- 1 + L / Kd
d1 <- data.frame(curve = "fitki", conc_M = rep(grid, each = 3))
d1$response <- counts(250 + 3000 / (1 + d1$conc_M / (1e-8 * fac)))
d1$radioligand_M <- L; d1$kd_M <- Kd
write.csv(d1, file.path(here, "data_fitki.csv"), row.names = FALSE)
d1 <- read.csv(file.path(here, "data_fitki.csv"))  # fit exactly what the tests read
d1$fac <- fac
record("fitki", response ~ bottom + (top - bottom) / (1 + conc_M / (10^log_ki * fac)), d1,
       list(top = 3200, bottom = 250, log_ki = -8))

# 2. homologous, one radioligand concentration: Hot 0.5 nM, Kd 2 nM, Bmax 20000 cpm, NSB 150
cold <- c(0, 10^seq(-11, -6, by = 0.5))
d2 <- data.frame(curve = "homo1", conc_M = rep(cold, each = 3), hot_M = 0.5e-9)
d2$response <- counts(20000 * d2$hot_M / (d2$hot_M + d2$conc_M + 2e-9) + 150)
write.csv(d2, file.path(here, "data_homo1.csv"), row.names = FALSE)
d2 <- read.csv(file.path(here, "data_homo1.csv"))  # fit exactly what the tests read
record("homo1", response ~ bmax * hot_M / (hot_M + conc_M + 10^log_kd) + nsb, d2,
       list(log_kd = -8.7, bmax = 20000, nsb = 150))

# 3. homologous, two radioligand concentrations (0.5 and 2 nM), global fit by indicator:
#    log_kd and bmax shared, one bottom per radioligand concentration
d3 <- rbind(data.frame(curve = "homo2", conc_M = rep(cold, each = 3), hot_M = 0.5e-9),
            data.frame(curve = "homo2", conc_M = rep(cold, each = 3), hot_M = 2e-9))
d3$response <- counts(20000 * d3$hot_M / (d3$hot_M + d3$conc_M + 2e-9) + 300 * d3$hot_M / 1e-9)
write.csv(d3, file.path(here, "data_homo2.csv"), row.names = FALSE)
d3 <- read.csv(file.path(here, "data_homo2.csv"))  # fit exactly what the tests read
d3$second <- as.numeric(d3$hot_M > 1e-9)
record("homo2",
       response ~ bmax * hot_M / (hot_M + conc_M + 10^log_kd) + nsb * (1 - second) + nsb2 * second,
       d3, list(log_kd = -8.7, bmax = 20000, nsb = 150, nsb2 = 600))

# 3w. the same data, relative weights 1/Y^2 (assaykit weighting="1/y2")
record("homo2_w",
       response ~ bmax * hot_M / (hot_M + conc_M + 10^log_kd) + nsb * (1 - second) + nsb2 * second,
       d3, list(log_kd = -8.7, bmax = 20000, nsb = 150, nsb2 = 600), w = 1 / d3$response^2)

# 4. heterologous with depletion (Prism's closed form): Hot 50000 cpm, Kd 1 nM,
#    SpAct 3900 cpm/fmol, 0.2 mL -> KdCPM = 780000 cpm; Bmax 200000 cpm, NS 0.02, Ki 10 nM
hot <- 50000; spact <- 3900; vol <- 0.2; kdn <- 1
kdcpm <- kdn * spact * vol * 1000
depl <- function(conc_M, log_ki, bmax, ns) {
  R <- ns + 1; S <- (1 + conc_M / 10^log_ki) * kdcpm + hot
  a <- -R; b <- R * S + ns * hot + bmax; c <- -hot * (S * ns + bmax)
  (-b + sqrt(b * b - 4 * a * c)) / (2 * a)
}
# the same closed form with R's symbolic gradient (deriv), so nlsLM's SEs use an exact Jacobian
# derived independently of assaykit's implicit differentiation
depl_d <- deriv(
  ~ (-((ns + 1) * ((1 + conc_M / 10^log_ki) * kdcpm + hot) + ns * hot + bmax) +
       sqrt(((ns + 1) * ((1 + conc_M / 10^log_ki) * kdcpm + hot) + ns * hot + bmax)^2 -
              4 * (ns + 1) * hot * (((1 + conc_M / 10^log_ki) * kdcpm + hot) * ns + bmax))) /
    (-2 * (ns + 1)),
  c("log_ki", "bmax", "ns"), function.arg = c("conc_M", "log_ki", "bmax", "ns"))
d4 <- data.frame(curve = "depl", conc_M = rep(grid, each = 3))
d4$response <- counts(depl(d4$conc_M, -8, 200000, 0.02))
d4$hot_cpm <- hot; d4$kd_M <- kdn * 1e-9; d4$specific_activity_cpm_per_fmol <- spact
d4$volume_mL <- vol
write.csv(d4, file.path(here, "data_depl.csv"), row.names = FALSE)
d4 <- read.csv(file.path(here, "data_depl.csv"))  # fit exactly what the tests read
record("depl", response ~ depl_d(conc_M, log_ki, bmax, ns), d4,
       list(log_ki = -8, bmax = 200000, ns = 0.02))

# 4w. the same data, Poisson weights 1/Y (assaykit weighting="poisson")
record("depl_w", response ~ depl_d(conc_M, log_ki, bmax, ns), d4,
       list(log_ki = -8, bmax = 200000, ns = 0.02), w = 1 / d4$response)

# 5. two sites vs one site (logIC50 form): 40 % high affinity (IC50 0.3 nM), low 100 nM
g5 <- 10^seq(-12, -4.5, by = 0.5)
d5 <- data.frame(curve = "twosite", conc_M = rep(c(0, g5), each = 2))
d5$response <- counts(300 + 3000 * (0.4 / (1 + d5$conc_M / 10^-9.5) +
                                    0.6 / (1 + d5$conc_M / 10^-7)))
write.csv(d5, file.path(here, "data_twosite.csv"), row.names = FALSE)
d5 <- read.csv(file.path(here, "data_twosite.csv"))  # fit exactly what the tests read
f1 <- record("twosite_one", response ~ bottom + (top - bottom) / (1 + conc_M / 10^log_k), d5,
             list(top = 3300, bottom = 300, log_k = -8))
f2 <- record("twosite_two", response ~ bottom + (top - bottom) *
               (fraction_high / (1 + conc_M / 10^log_k_high) +
                (1 - fraction_high) / (1 + conc_M / 10^log_k_low)), d5,
             list(top = 3300, bottom = 300, fraction_high = 0.4, log_k_high = -9.5,
                  log_k_low = -7))
a <- anova(f1, f2)
anovas[[1]] <- data.frame(case = "twosite", f = a[2, "F value"], p = a[2, "Pr(>F)"],
                          df_num = a[2, "Df"], df_den = a[2, "Res.Df"])

write.csv(do.call(rbind, values), file.path(here, "values.csv"), row.names = FALSE)
write.csv(do.call(rbind, fits), file.path(here, "fits.csv"), row.names = FALSE)
write.csv(do.call(rbind, anovas), file.path(here, "anova.csv"), row.names = FALSE)
