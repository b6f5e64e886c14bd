# Reference surfaces from spatstat (edge correction) and sparr (adaptive kernels) for
# tests/engine/test_surfaces_golden.cpp. Run from this folder: Rscript make_golden.R
# (needs r-cran-spatstat and r-cran-sparr). Points and window: ../bandwidth/ (police.uk Kent,
# September 2019, violence and sexual offences in Maidstone district, EPSG:27700; Open Government
# Licence v3.0).
#
# edge_golden.csv: spatstat density.ppp(edge = TRUE, diggle = FALSE / TRUE) in the Maidstone
# district polygon, sigma 400 m, Gaussian and quartic kernels, on a fine 50 m image bilinearly
# interpolated (interp.im) at the centres of hotspot's 100 m grid: origin (floor(xmin / 100) * 100,
# ceiling(ymax / 100) * 100) of the polygon's frame. 1,500 cells inside the window, drawn with a
# fixed seed, and the image's peak.
# adaptive_golden.csv: sparr bivariate.density(adapt = TRUE, h0 = 400, hp = 400, trim = 5,
# intensity = TRUE) on the 12 km square 570000-582000 x 150000-162000 at resolution 128: 2,000
# pixels drawn with a fixed seed and the peak, for edge = "none" and "diggle".
suppressMessages({library(spatstat); library(sparr)})
ring <- read.csv("../bandwidth/maidstone_district.csv")
W <- owin(poly = list(x = ring$x, y = ring$y))
p <- read.csv("../bandwidth/violence_maidstone.csv")
p <- p[inside.owin(p$x, p$y, W), ]
X <- suppressWarnings(ppp(p$x, p$y, window = W))
fr <- Frame(W)
ox <- floor(fr$xrange[1] / 100) * 100; oy <- ceiling(fr$yrange[2] / 100) * 100
cols <- ceiling((fr$xrange[2] - ox) / 100); rows <- ceiling((oy - fr$yrange[1]) / 100)
cx <- ox + (0:(cols - 1) + 0.5) * 100; cy <- oy - (0:(rows - 1) + 0.5) * 100
grid <- expand.grid(col = 0:(cols - 1), row = 0:(rows - 1))
grid$x <- cx[grid$col + 1]; grid$y <- cy[grid$row + 1]
grid <- grid[inside.owin(grid$x, grid$y, W), ]
set.seed(11)
sample_rows <- grid[sample(nrow(grid), 1500), ]
out <- NULL
for (case in list(list(kernel = "gaussian", diggle = FALSE), list(kernel = "gaussian", diggle = TRUE),
                  list(kernel = "quartic", diggle = FALSE))) {
  im <- density(X, sigma = 400, kernel = case$kernel, edge = TRUE, diggle = case$diggle,
                dimyx = c(round(diff(fr$yrange) / 20), round(diff(fr$xrange) / 20)))
  v <- interp.im(im, sample_rows$x, sample_rows$y)
  name <- paste0(case$kernel, if (case$diggle) "_diggle" else "_uniform")
  out <- rbind(out, data.frame(case = name, col = sample_rows$col, row = sample_rows$row,
                               value_per_m2 = v),
               data.frame(case = name, col = -1, row = -1, value_per_m2 = max(im)))
}
write.csv(out, "edge_golden.csv", row.names = FALSE)

S <- owin(c(570000, 582000), c(150000, 162000))
q <- p[inside.owin(p$x, p$y, S), ]
Y <- suppressWarnings(ppp(q$x, q$y, window = S))
adaptive <- NULL
for (edge in c("none", "diggle")) {
  b <- bivariate.density(Y, h0 = 400, hp = 400, adapt = TRUE, trim = 5, edge = edge,
                         resolution = 128, intensity = TRUE, verbose = FALSE)
  m <- as.matrix(b$z)  # rows run south to north
  all <- data.frame(case = edge, col = rep(0:127, each = 128), row = rep(127:0, times = 128),
                    value_per_m2 = as.vector(m))
  set.seed(12)
  adaptive <- rbind(adaptive, all[sort(sample(nrow(all), 2000)), ],
                    data.frame(case = edge, col = -1, row = -1, value_per_m2 = max(m)))
  cat(edge, "adaptive: h from", min(b$h), "to", max(b$h), "gamma", b$gamma, "\n")
}
cat("points in the square:", npoints(Y), "\n")
write.csv(adaptive, "adaptive_golden.csv", row.names = FALSE)

# risk_golden.csv: sparr risk(log = TRUE) of property crime (burglary and vehicle crime) against
# violence in the same square, h0 = 600 m, resolution 512 (at 128, spatstat's binning is 5% off
# the exact density), and tolerance(method = "ASY",
# ref.density = the pooled density): log relative risk, p-value and the pooled density at 2,000
# pixels drawn with a fixed seed, for edge = "none" and "uniform".
read_square <- function(name) {
  d <- read.csv(paste0("../bandwidth/", name, ".csv"))
  d[inside.owin(d$x, d$y, S), ]
}
property <- rbind(read_square("burglary_maidstone"), read_square("vehicle_maidstone"))
Fc <- suppressWarnings(ppp(property$x, property$y, window = S))
pooled <- suppressWarnings(superimpose(Fc, Y))
risk_rows <- NULL
for (edge in c("none", "uniform")) {
  rs <- risk(Fc, Y, h0 = 600, edge = edge, resolution = 512, log = TRUE, verbose = FALSE)
  ref <- bivariate.density(pooled, h0 = 600, edge = edge, resolution = 512, verbose = FALSE)
  p <- tolerance(rs, method = "ASY", ref.density = ref, verbose = FALSE)
  lr <- as.matrix(rs$rr); pm <- as.matrix(p)
  all <- data.frame(case = edge, col = rep(0:511, each = 512), row = rep(511:0, times = 512),
                    log_risk = as.vector(lr), p_value = as.vector(pm),
                    pooled = as.vector(as.matrix(ref$z)))
  set.seed(13)
  risk_rows <- rbind(risk_rows, all[sort(sample(nrow(all), 2000)), ])
}
cat("risk: cases", npoints(Fc), "controls", npoints(Y), "\n")
write.csv(risk_rows, "risk_golden.csv", row.names = FALSE)
