#include "hotspot/io/netcdf.hpp"

#include "gdal_util.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/files.hpp"

#include <cpl_string.h>

namespace hotspot::io
{

namespace
{
using Dims = std::vector<std::shared_ptr<GDALDimension>>;

void check(bool ok, const std::string& path, const std::string& what)
{
    if (!ok)
        throw Error(Errc::Io, path + ": cannot write the netCDF cube's " + what + " (" +
                                  detail::gdal_error() + ")");
}

void text_attribute(GDALIHasAttribute& owner, const std::string& name, const std::string& value,
                    const std::string& path)
{
    const auto a = owner.CreateAttribute(name, {}, GDALExtendedDataType::CreateString());
    check(a && a->Write(value.c_str()), path, "attribute " + name);
}

std::shared_ptr<GDALMDArray> variable(GDALGroup& root, const std::string& name, const Dims& dims,
                                      const std::string& path, bool compress)
{
    CPLStringList options;
    if (compress)
    {
        options.SetNameValue("COMPRESS", "DEFLATE");
        // Chunks of one time step: each step is written once, never read back and recompressed.
        std::string blocks;
        for (std::size_t d = 0; d < dims.size(); ++d)
            blocks += (d ? "," : "") +
                      std::to_string(d == 0 ? 1 : std::min<GUInt64>(dims[d]->GetSize(), 512));
        options.SetNameValue("BLOCKSIZE", blocks.c_str());
    }
    const auto a =
        root.CreateMDArray(name, dims, GDALExtendedDataType::Create(GDT_Float64), options.List());
    check(a != nullptr, path, "variable " + name);
    return a;
}

void write_all(GDALMDArray& a, const std::vector<double>& values, const std::string& path)
{
    const auto& dims = a.GetDimensions();
    std::vector<GUInt64> start(dims.size(), 0);
    std::vector<size_t> count;
    for (const auto& d : dims)
        count.push_back(static_cast<size_t>(d->GetSize()));
    check(a.Write(start.data(), count.data(), nullptr, nullptr,
                  GDALExtendedDataType::Create(GDT_Float64), values.data()),
          path, "values of " + a.GetName());
}
} // namespace

void write_netcdf_cube(const std::string& path, const NetcdfCube& cube, bool overwrite)
{
    detail::ensure_gdal();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("netCDF");
    if (!driver)
        throw Error(Errc::Internal, "this GDAL has no netCDF driver");
    const engine::GridSpec& g = cube.grid;
    write_atomically(
        path, overwrite,
        [&](const std::string& tmp)
        {
            CPLStringList root_options;
            root_options.SetNameValue("FORMAT", "NC4");
            detail::DatasetPtr ds(
                driver->CreateMultiDimensional(tmp.c_str(), root_options.List(), nullptr));
            check(ds != nullptr, path, "file");
            const auto root = ds->GetRootGroup();
            const auto time =
                root->CreateDimension("time", GDAL_DIM_TYPE_TEMPORAL, "", cube.time.size());
            const auto y = root->CreateDimension("y", GDAL_DIM_TYPE_HORIZONTAL_Y, "NORTH",
                                                 static_cast<GUInt64>(g.rows));
            const auto x = root->CreateDimension("x", GDAL_DIM_TYPE_HORIZONTAL_X, "EAST",
                                                 static_cast<GUInt64>(g.cols));
            check(time && x && y, path, "dimensions");

            const auto coordinate =
                [&](const std::shared_ptr<GDALDimension>& dim, const std::vector<double>& values,
                    std::initializer_list<std::pair<const char*, std::string>> attributes)
            {
                const auto a = variable(*root, dim->GetName(), {dim}, path, false);
                for (const auto& [k, v] : attributes)
                    text_attribute(*a, k, v, path);
                write_all(*a, values, path);
                dim->SetIndexingVariable(a);
            };
            std::vector<double> xs, ys, days;
            for (std::int64_t c = 0; c < g.cols; ++c)
                xs.push_back(g.center_x(c));
            for (std::int64_t r = 0; r < g.rows; ++r)
                ys.push_back(g.center_y(r));
            for (const auto d : cube.time)
                days.push_back(static_cast<double>(d));
            coordinate(x, xs,
                       {{"standard_name", "projection_x_coordinate"},
                        {"long_name", "easting of the cell centre"},
                        {"units", "m"}});
            coordinate(y, ys,
                       {{"standard_name", "projection_y_coordinate"},
                        {"long_name", "northing of the cell centre"},
                        {"units", "m"}});
            coordinate(time, days,
                       {{"standard_name", "time"},
                        {"long_name", "first day of the time step"},
                        {"units", "days since 1970-01-01 00:00:00"},
                        {"calendar", "standard"}});

            const OGRSpatialReference srs = detail::to_ogr(cube.crs);
            for (const auto& v : cube.variables)
            {
                const auto a = variable(*root, v.name, {time, y, x}, path, true);
                check(a->SetSpatialRef(&srs), path, "CRS of " + v.name);
                check(a->SetNoDataValue(std::numeric_limits<double>::quiet_NaN()), path,
                      "fill value of " + v.name);
                text_attribute(*a, "long_name", v.long_name, path);
                text_attribute(*a, "units", v.units, path);
                std::vector<double> slice;
                for (std::size_t t = 0; t < cube.time.size(); ++t)
                {
                    slice.assign(static_cast<std::size_t>(g.cell_count()),
                                 std::numeric_limits<double>::quiet_NaN());
                    v.fill(t, slice);
                    const GUInt64 start[3] = {t, 0, 0};
                    const size_t count[3] = {1, static_cast<size_t>(g.rows),
                                             static_cast<size_t>(g.cols)};
                    check(a->Write(start, count, nullptr, nullptr,
                                   GDALExtendedDataType::Create(GDT_Float64), slice.data()),
                          path, "values of " + v.name);
                }
            }
            text_attribute(*root, "Conventions", "CF-1.8", path);
            text_attribute(*root, "source", "hotspot " HOTSPOT_VERSION_STRING, path);
            text_attribute(*root, "time_steps", engine::join(cube.time_labels, ", "), path);
            for (const auto& [k, v] : cube.attributes)
                text_attribute(*root, k, v, path);
            CPLErrorReset();
            ds.reset(); // closing writes the file out
            check(CPLGetLastErrorType() < CE_Failure, path, "file");
        });
}

} // namespace hotspot::io
