#pragma once
// Significance shared by the hotspot and trend methods: normal p-values, the Benjamini-Hochberg
// false discovery rate, and the Mann-Kendall trend test.

#include <cstdint>
#include <vector>

namespace hotspot::engine
{

/// The two-sided p-value of a standard normal z: P(|Z| >= |z|).
double two_sided_p(double z);

/// Benjamini-Hochberg (1995): the largest p_(k) with p_(k) <= k/m alpha among the m p-values, so
/// that p <= cut-off is significant at false discovery rate alpha; 0 when none is. NaNs are left
/// out of m.
double fdr_cutoff(std::vector<double> p_values, double alpha);

/// The Mann-Kendall trend test (Mann 1945, Kendall 1975) of a series in time order:
/// S = sum over i < j of sign(x_j - x_i); Var(S) = (n(n-1)(2n+5) - sum over tied groups of
/// t(t-1)(2t+5)) / 18; z = (S - sign(S)) / sqrt(Var(S)) (continuity corrected); p two-sided.
/// tau = S / (n(n-1)/2). A series of fewer than 3 values, or all alike, has z = 0 and p = 1.
struct MannKendall
{
    std::int64_t s = 0;
    double variance = 0;
    double z = 0;
    double p = 1;
    double tau = 0;
};
MannKendall mann_kendall(const std::vector<double>& series);

} // namespace hotspot::engine
