#pragma once
// PostgreSQL/PostGIS sources and tables, through GDAL's "PG:" connection strings: what to call
// them in messages and metadata, and how to keep their passwords out of both.

#include <string>
#include <string_view>

namespace hotspot::io
{

/// True for a GDAL PostgreSQL connection string: "PG:dbname=crime host=db.force.local ...".
bool is_postgis(std::string_view source);

/// The text with the password of every connection string ("password=...") or URI
/// ("postgresql://user:secret@host") in it replaced by ***. Every message, log line, summary and
/// metadata item that may name a source goes through this.
std::string without_passwords(std::string text);

/// A short name for a source, for labels and metadata: a file's name, or for PostGIS the table
/// chosen with tables= in the connection string (else the database's name).
std::string source_label(const std::string& source);

/// The same for a layer's column label: a file's name without its extension, or the table.
std::string layer_label(const std::string& source);

/// "database crime on host db.force.local": how a connection is named to the analyst.
std::string describe_connection(const std::string& source);

} // namespace hotspot::io
