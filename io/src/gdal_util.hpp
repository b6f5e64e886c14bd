#pragma once
// Private helpers for the GDAL adapters: RAII handles and error text.

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/grid.hpp"
#include "hotspot/io/crs.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <memory>
#include <string>
#include <vector>

namespace hotspot::io::detail
{

/// Registers the GDAL drivers once, and routes GDAL's error printing into CPLGetLastErrorMsg
/// so that errors reach the analyst once, in hotspot's words.
void ensure_gdal();

/// GDAL's last error message, or `fallback` when GDAL said nothing.
std::string gdal_error(const std::string& fallback = "unknown GDAL error");

struct DatasetCloser
{
    void operator()(GDALDataset* ds) const { GDALClose(GDALDataset::ToHandle(ds)); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

struct FeatureDeleter
{
    void operator()(OGRFeature* f) const { OGRFeature::DestroyFeature(f); }
};
using FeaturePtr = std::unique_ptr<OGRFeature, FeatureDeleter>;

/// A layer to read: one of the dataset's, or the rows of an SQL query, released with this.
class SourceLayer
{
  public:
    SourceLayer(GDALDataset& dataset, OGRLayer* layer, bool result_set)
        : m_dataset(&dataset), m_layer(layer), m_result_set(result_set)
    {
    }
    ~SourceLayer()
    {
        if (m_result_set && m_layer)
            m_dataset->ReleaseResultSet(m_layer);
    }
    SourceLayer(const SourceLayer&) = delete;
    SourceLayer& operator=(const SourceLayer&) = delete;
    OGRLayer* operator->() const { return m_layer; }
    OGRLayer& operator*() const { return *m_layer; }

  private:
    GDALDataset* m_dataset;
    OGRLayer* m_layer;
    bool m_result_set;
};

/// The rows `sql` returns (in the database's own SQL for PostGIS, else OGR SQL) when it is given,
/// else pick_layer's layer. Throws Error(Usage) with the database's message when the query fails.
SourceLayer open_layer(GDALDataset& dataset, const std::string& path, const std::string& layer,
                       const std::string& sql);

/// Opens a vector source, throwing Error(Io) with GDAL's reason when it cannot.
DatasetPtr open_vector(const std::string& path);

/// The named layer, or the only/first layer when `layer` is empty. Throws Error(Usage) listing the
/// layers when the name is unknown.
OGRLayer* pick_layer(GDALDataset& dataset, const std::string& path, const std::string& layer);

/// The CRS as GDAL holds it, longitude first. From its EPSG code where there is one: that is what
/// lets QGIS and ArcGIS recognise the CRS of a written file by name.
OGRSpatialReference to_ogr(const Crs& crs);

/// Gives a dataset the grid's north-up geotransform and the CRS.
void place_on_grid(GDALDataset& dataset, const engine::GridSpec& grid, const Crs& crs);

/// The raster as a one-band dataset in memory of `type` samples, placed on its grid. Throws
/// Error(Io) "`what`: cannot stage the raster..." when GDAL cannot.
DatasetPtr memory_raster(const engine::Raster<double>& raster, const Crs& crs, GDALDataType type,
                         const std::string& what);

/// gdalwarp and gdal_translate on a dataset, with their command-line arguments (the output format
/// among them: MEM, VRT), to a dataset without a file. Throw Error(Io) "`failure` (GDAL's
/// reason)".
DatasetPtr warp(GDALDataset& source, std::vector<std::string> args, const std::string& failure);
DatasetPtr translate(GDALDataset& source, std::vector<std::string> args,
                     const std::string& failure);

/// Field names of a layer's schema, in order.
std::vector<std::string> field_names(OGRLayer& layer);

} // namespace hotspot::io::detail
