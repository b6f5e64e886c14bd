# Times sparr's adaptive kernel estimate (bivariate.density(adapt = TRUE), exact, no edge
# correction) on an x,y CSV (EPSG:27700) in the grid's rectangle, at RESOLUTION x RESOLUTION pixels.
# Usage: Rscript sparr_adaptive.R FILE H0 RESOLUTION
# Prints: points, seconds.
suppressPackageStartupMessages({library(spatstat); library(sparr)})
args <- commandArgs(trailingOnly = TRUE)
p <- read.csv(args[1])
X <- ppp(p$x, p$y, window = owin(c(566000, 586000), c(145800, 165800)))
h0 <- as.numeric(args[2])
t <- system.time(bivariate.density(X, h0 = h0, adapt = TRUE, edge = "none",
                                   resolution = as.integer(args[3]), verbose = FALSE))[["elapsed"]]
cat(npoints(X), t, "\n")
