# Times a spatstat bandwidth selector on an x,y CSV (EPSG:27700) in the grid's rectangle.
# Usage: Rscript spatstat_bw.R FILE SELECTOR   (ppl, cvl, diggle, scott)
# Prints: selector, points, sigma, seconds (of the selector alone, after reading).
suppressPackageStartupMessages(library(spatstat))
args <- commandArgs(trailingOnly = TRUE)
p <- read.csv(args[1])
X <- ppp(p$x, p$y, window = owin(c(566000, 586000), c(145800, 165800)))
f <- switch(args[2], ppl = bw.ppl, cvl = bw.CvL, diggle = bw.diggle,
            scott = function(X, ...) bw.scott(X, isotropic = TRUE))
t <- system.time(s <- f(X))[["elapsed"]]
cat(args[2], npoints(X), as.numeric(s), t, "\n")
