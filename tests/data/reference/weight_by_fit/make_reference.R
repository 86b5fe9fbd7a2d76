# Reference for weighting by the fitted curve (GraphPad Prism 5+): iteratively reweighted nls.
# 4PL curves (counts-like, positive) with scatter proportional to the curve (for "1/y2") or to
# its square root (for "poisson"); each is fitted by nls with weights 1/fitted^2 (or 1/fitted),
# refitted with the weights of the new curve until they settle (max relative change < 1e-12).
# Writes data.csv and values.csv (estimates, SEs, weighted RSS of the last fit).
# Run: Rscript make_reference.R   (base stats only)
set.seed(20261206)
f4 <- function(x, top, bottom, logic50, hill) bottom + (top - bottom) / (1 + 10^((logic50 - x) * hill))
x <- rep(seq(-11, -5.5, by = 0.5), each = 3)
pts <- list(); vals <- list(); k <- 0
for (scheme in c("1/y2", "poisson")) {
  for (i in 1:12) {
    k <- k + 1
    p <- c(top = rnorm(1, 5000, 200), bottom = rnorm(1, 300, 30),
           logic50 = runif(1, -9, -7.5), hill = -runif(1, 0.8, 1.3))
    mu <- f4(x, p[["top"]], p[["bottom"]], p[["logic50"]], p[["hill"]])
    y <- if (scheme == "1/y2") mu * (1 + rnorm(length(x), 0, 0.08)) else mu + sqrt(mu) * rnorm(length(x), 0, 3)
    d <- data.frame(x = x, y = y)
    wfun <- function(f) if (scheme == "1/y2") 1 / f^2 else 1 / f
    form <- y ~ bottom + (top - bottom) / (1 + 10^((logic50 - x) * hill))
    ctl <- nls.control(maxiter = 500, tol = 1e-7, minFactor = 1e-12)
    fit <- nls(form, data = d, start = p)
    w_old <- rep(NA_real_, length(x))
    for (it in 1:200) {
      w <- wfun(fitted(fit))
      if (all(is.finite(w_old)) && max(abs(w / w_old - 1)) < 1e-12) break
      d$w <- w
      fit <- nls(form, data = d, start = coef(fit), weights = w, control = ctl)
      w_old <- w
    }
    cf <- summary(fit)$coefficients
    pts[[k]] <- data.frame(curve = k, scheme = scheme, conc_M = 10^x, response = y)
    vals[[k]] <- data.frame(curve = k, scheme = scheme, iterations = it,
                            top = cf["top", 1], bottom = cf["bottom", 1],
                            log_ic50 = cf["logic50", 1], hill = cf["hill", 1],
                            top_se = cf["top", 2], bottom_se = cf["bottom", 2],
                            log_ic50_se = cf["logic50", 2], hill_se = cf["hill", 2],
                            rss = sum(weights(fit) * residuals(fit)^2))
  }
}
write.csv(format(do.call(rbind, pts), digits = 17), "data.csv", row.names = FALSE, quote = FALSE)
write.csv(format(do.call(rbind, vals), digits = 15), "values.csv", row.names = FALSE, quote = FALSE)
