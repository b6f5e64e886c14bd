#include "hotspot/engine/statistics/significance.hpp"

#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>

namespace hotspot::engine
{

double two_sided_p(double z)
{
    return std::erfc(std::abs(z) / std::sqrt(2.0));
}

double fdr_cutoff(std::vector<double> p_values, double alpha)
{
    std::erase_if(p_values, [](double p) { return std::isnan(p); });
    tbb::parallel_sort(p_values.begin(), p_values.end()); // a p-value per cell: millions
    const double m = static_cast<double>(p_values.size());
    for (std::size_t i = p_values.size(); i-- > 0;)
        if (p_values[i] <= static_cast<double>(i + 1) / m * alpha)
            return p_values[i];
    return 0.0;
}

MannKendall mann_kendall(const std::vector<double>& x)
{
    MannKendall mk;
    const std::size_t n = x.size();
    if (n < 3)
        return mk;
    for (std::size_t i = 0; i + 1 < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j)
            mk.s += (x[j] > x[i]) - (x[j] < x[i]);
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    double ties = 0;
    for (std::size_t i = 0; i < n;)
    {
        std::size_t j = i;
        while (j < n && sorted[j] == sorted[i])
            ++j;
        const double t = static_cast<double>(j - i);
        ties += t * (t - 1) * (2 * t + 5);
        i = j;
    }
    const double nd = static_cast<double>(n);
    mk.variance = (nd * (nd - 1) * (2 * nd + 5) - ties) / 18.0;
    mk.tau = static_cast<double>(mk.s) / (nd * (nd - 1) / 2);
    if (mk.s == 0 || !(mk.variance > 0))
        return mk;
    const double s = static_cast<double>(mk.s);
    mk.z = (s - (s > 0 ? 1.0 : -1.0)) / std::sqrt(mk.variance);
    mk.p = two_sided_p(mk.z);
    return mk;
}

} // namespace hotspot::engine
