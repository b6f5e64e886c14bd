# Peer for benchmarks/run_kde_benchmark.sh: the same job with R spatstat's density.ppp (binned FFT,
# so not exact). spatstat's sigma is the kernel's standard deviation; a quartic of support radius r
# has sigma = r / sqrt(8) per coordinate.
# Usage: Rscript spatstat_kde.R OFFENCES_XY.csv
suppressPackageStartupMessages(library(spatstat))
args <- commandArgs(trailingOnly = TRUE)
xy <- read.csv(args[1])
w <- owin(c(566000, 586000), c(145800, 165800))
inside <- xy$x >= 566000 & xy$x <= 586000 & xy$y >= 145800 & xy$y <= 165800
p <- ppp(xy$x[inside], xy$y[inside], window = w)
d <- density.ppp(p, sigma = 250 / sqrt(8), kernel = "quartic", dimyx = c(800, 800), edge = FALSE)
cat(sprintf("spatstat: %d points, max density %.6g per m2\n", p$n, max(d)))
