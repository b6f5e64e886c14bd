# Reference bandwidths from spatstat for tests/engine/test_bandwidth_selection.cpp.
# Run from this folder: Rscript make_golden.R  (writes golden.csv; needs r-cran-spatstat)
#
# Point sets: police.uk Kent, September 2019 (Open Government Licence v3.0), projected to
# EPSG:27700 with ogr2ogr. Windows: the points' bounding rectangle, or the Maidstone district
# polygon (ONS boundaries, Open Government Licence v3.0) with the points inside it.
#
# spatstat's bw.ppl and bw.CvL return the best of 16 sigmas on a log grid; hotspot refines the
# optimum continuously. To compare like with like, the optimum here is refined the same way: the
# best of the default 16, then the best of 400 values between its neighbours (steps of 0.2%).
suppressMessages(library(spatstat))
set.seed(1)
refine <- function(selector, X, ...) {
  coarse <- selector(X, warn = FALSE, ...)
  h <- attr(coarse, "h"); i <- attr(coarse, "iopt")
  lo <- h[max(1, i - 1)]; hi <- h[min(length(h), i + 1)]
  fine <- selector(X, sigma = exp(seq(log(lo), log(hi), length.out = 400)), warn = FALSE, ...)
  as.numeric(fine)
}
ring <- read.csv("maidstone_district.csv")
district <- owin(poly = list(x = ring$x, y = ring$y))
sets <- list(
  list(name = "burglary_maidstone", window = "rectangle"),
  list(name = "violence_maidstone", window = "rectangle"),
  list(name = "vehicle_maidstone", window = "maidstone_district"),
  list(name = "violence_maidstone", window = "maidstone_district"),
  list(name = "shoplifting_kent", window = "rectangle"),
  list(name = "violence_kent", window = "rectangle"))
out <- NULL
for (s in sets) {
  p <- read.csv(paste0(s$name, ".csv"))
  if (s$window == "rectangle") {
    W <- owin(range(p$x), range(p$y))
  } else {
    W <- district
    p <- p[inside.owin(p$x, p$y, W), ]
  }
  X <- suppressWarnings(ppp(p$x, p$y, window = W))
  t0 <- proc.time()[["elapsed"]]
  row <- data.frame(set = s$name, window = s$window, n = npoints(X),
                    scott = as.numeric(bw.scott(X, isotropic = TRUE)),
                    ppl = refine(bw.ppl, X),
                    cvl = refine(bw.CvL, X),
                    diggle = as.numeric(bw.diggle(X, warn = FALSE)))
  cat(s$name, s$window, npoints(X), "points:", proc.time()[["elapsed"]] - t0, "s\n")
  out <- rbind(out, row)
}
write.csv(out, "golden.csv", row.names = FALSE)
print(out)
