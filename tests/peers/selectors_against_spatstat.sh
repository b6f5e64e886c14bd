#!/usr/bin/env bash
# Live check, where R and spatstat are installed: hotspot's selectors against spatstat's on the
# 67 burglaries of tests/data/bandwidth (the golden files make the same check without R).
# Exits 77 (ctest: skipped) with a message when R or spatstat is missing.
# Usage: selectors_against_spatstat.sh HOTSPOT_BINARY TEST_DATA_DIR
set -euo pipefail
hotspot=$1
data=$2/bandwidth
if ! command -v Rscript > /dev/null || ! Rscript -e 'suppressPackageStartupMessages(library(spatstat))' > /dev/null 2>&1; then
    echo "SKIPPED: R with spatstat is not installed (apt-get install r-cran-spatstat); the golden files in tests/data/bandwidth stand in for it"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
points=$data/burglary_maidstone.csv
extent=$(awk -F, 'NR > 1 { if (NR == 2 || $1 < x0) x0 = $1; if (NR == 2 || $1 > x1) x1 = $1;
                           if (NR == 2 || $2 < y0) y0 = $2; if (NR == 2 || $2 > y1) y1 = $2 }
                  END { printf "%s,%s,%s,%s", x0, y0, x1, y1 }' "$points")
Rscript - "$points" > "$tmp/spatstat.txt" <<'R'
suppressPackageStartupMessages(library(spatstat))
p <- read.csv(commandArgs(trailingOnly = TRUE)[1])
X <- suppressWarnings(ppp(p$x, p$y, window = owin(range(p$x), range(p$y))))
refine <- function(selector) {
  coarse <- selector(X, warn = FALSE)
  h <- attr(coarse, "h"); i <- attr(coarse, "iopt")
  s <- exp(seq(log(h[max(1, i - 1)]), log(h[min(length(h), i + 1)]), length.out = 120))
  as.numeric(selector(X, sigma = s, warn = FALSE))
}
cat("scott", as.numeric(bw.scott(X, isotropic = TRUE)), "\n")
cat("ppl", refine(bw.ppl), "\n")
cat("cvl", refine(bw.CvL), "\n")
cat("diggle", as.numeric(bw.diggle(X, warn = FALSE)), "\n")
R
status=0
while read -r selector expected; do
    "$hotspot" kde --offences "$points" --crs EPSG:27700 --extent "$extent" --cell 50 \
        --kernel gaussian --bandwidth "$selector" --out "$tmp/$selector.tif" \
        --summary-json "$tmp/$selector.json" --quiet
    got=$(grep -o '"bandwidth_sigma_m": *[0-9.e+-]*' "$tmp/$selector.json" | cut -d: -f2 | tr -d ' ')
    verdict=$(awk -v g="$got" -v e="$expected" 'BEGIN { d = (g - e) / e; if (d < 0) d = -d; print (d <= 0.02 ? "ok" : "DIFFERS") }')
    echo "$selector: spatstat $expected m, hotspot $got m: $verdict"
    [ "$verdict" = ok ] || status=1
done < "$tmp/spatstat.txt"
exit $status
