# Reference for bounded 4PL fits: R's nls(algorithm = "port", lower =, upper =).
# Simulated curves whose unconstrained optimum lies outside the box, so the bound is active:
#   set "bottom": true bottom below 0, fitted with bottom >= 0;
#   set "hill":   steep curves (true hill -2.2 .. -1.8), fitted with hill >= -1.2.
# Writes data.csv (the points) and values.csv (R's estimates and RSS per curve).
# Run: Rscript make_reference.R   (in this folder; R 4.x, base stats only)
set.seed(20261205)
f4 <- function(x, top, bottom, logic50, hill) bottom + (top - bottom) / (1 + 10^((logic50 - x) * hill))
x1 <- seq(-11, -5.5, by = 0.5)
x <- rep(x1, each = 2)
pts <- list(); vals <- list()
k <- 0
for (set in c("bottom", "hill")) {
  ncurve <- if (set == "bottom") 40 else 20
  for (i in seq_len(ncurve)) {
    k <- k + 1
    top <- rnorm(1, 100, 3)
    if (set == "bottom") {
      bottom <- rnorm(1, -6, 2); logic50 <- runif(1, -9, -7.5); hill <- -runif(1, 0.8, 1.3)
    } else {
      bottom <- rnorm(1, 2, 2); logic50 <- runif(1, -9, -7.5); hill <- -runif(1, 1.8, 2.2)
    }
    y <- f4(x, top, bottom, logic50, hill) + rnorm(length(x), 0, 4)
    d <- data.frame(x = x, y = y)
    lower <- c(top = -Inf, bottom = -Inf, logic50 = -Inf, hill = -Inf)
    upper <- c(top = Inf, bottom = Inf, logic50 = Inf, hill = Inf)
    if (set == "bottom") lower["bottom"] <- 0 else lower["hill"] <- -1.2
    start <- c(top = top, bottom = max(bottom, lower[["bottom"]]), logic50 = logic50,
               hill = max(hill, lower[["hill"]]))
    fit <- nls(y ~ bottom + (top - bottom) / (1 + 10^((logic50 - x) * hill)), data = d,
               start = start, algorithm = "port", lower = lower, upper = upper,
               control = nls.control(maxiter = 1000, warnOnly = TRUE))
    # port stops at its relative tolerances; restarting it from its own solution (twice) takes
    # it to the optimum to ~1e-9 (a restart resets its scaling)
    for (again in 1:2)
      fit <- nls(y ~ bottom + (top - bottom) / (1 + 10^((logic50 - x) * hill)), data = d,
                 start = coef(fit), algorithm = "port", lower = lower, upper = upper,
                 control = nls.control(maxiter = 1000, warnOnly = TRUE))
    cf <- coef(fit)
    pts[[k]] <- data.frame(curve = k, set = set, conc_M = 10^x, response = y)
    vals[[k]] <- data.frame(curve = k, set = set, top = cf[["top"]], bottom = cf[["bottom"]],
                            log_ic50 = cf[["logic50"]], hill = cf[["hill"]],
                            rss = sum(residuals(fit)^2), converged = fit$convInfo$isConv)
  }
}
write.csv(do.call(rbind, pts), "data.csv", row.names = FALSE)
out <- do.call(rbind, vals)
write.csv(format(out, digits = 15), "values.csv", row.names = FALSE, quote = FALSE)
