# Reference for Welch t-test confidence intervals: R's t.test(x, y) (var.equal = FALSE).
# Writes wells.csv (tracer / blocked wells per time point, 2-5 replicates, unequal spreads)
# and values.csv (time_min, conf.int low/high, t, df, p).  Run: Rscript make_reference.R
set.seed(20261205)
times <- c(5, 15, 30, 60, 120)
wells <- list(); vals <- list()
for (i in seq_along(times)) {
  nt <- 2 + (i %% 4); nb <- 2 + ((i + 1) %% 4)
  x <- rlnorm(nt, log(10 * (1 - exp(-0.04 * times[i]))), 0.15)
  y <- rlnorm(nb, log(0.6 * (1 - exp(-0.2 * times[i]))), 0.4)
  wells[[i]] <- data.frame(compound = "c1", time_min = times[i],
                           condition = c(rep("tracer", nt), rep("blocked", nb)),
                           replicate = c(seq_len(nt), seq_len(nb)),
                           internalized_pct = c(x, y))
  tt <- t.test(x, y)
  vals[[i]] <- data.frame(time_min = times[i], ci95_low = tt$conf.int[1],
                          ci95_high = tt$conf.int[2], t = unname(tt$statistic),
                          dof = unname(tt$parameter), p = tt$p.value)
}
w <- do.call(rbind, wells)
write.csv(format(w, digits = 17), "wells.csv", row.names = FALSE, quote = FALSE)
write.csv(format(do.call(rbind, vals), digits = 17), "values.csv", row.names = FALSE, quote = FALSE)
