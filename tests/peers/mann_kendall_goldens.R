# Goldens for tests/engine/test_spacetime.cpp: the Mann-Kendall z and p of a few series, from R's
# own Kendall test of the series against time (cor.test, method "kendall", normal approximation with
# the continuity correction and the tie-corrected variance), which is the Mann-Kendall test.
# Run: Rscript tests/peers/mann_kendall_goldens.R
series <- list(
  rising = c(1, 3, 2, 5, 4, 6, 8, 7, 9, 10),
  ties = c(2, 2, 3, 1, 3, 3, 4, 4, 4, 5, 2, 6),
  flat_noise = c(5, 3, 6, 4, 5, 3, 6, 4),
  falling = c(9.5, 8.1, 8.3, 7.2, 6.4, 6.6, 5.0, 4.1, 4.4, 3.0, 2.2, 1.9, 1.5, 0.7)
)
for (name in names(series)) {
  y <- series[[name]]
  t <- suppressWarnings(cor.test(seq_along(y), y, method = "kendall", exact = FALSE,
                                 continuity = TRUE))
  cat(sprintf("%s z=%.15g p=%.15g\n", name, t$statistic, t$p.value))
}
