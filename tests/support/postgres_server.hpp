#pragma once
// A private PostgreSQL + PostGIS server for the tests: a cluster made by initdb in a temporary
// folder, reached through a Unix socket there (no TCP port is opened), trust authentication, run
// as the postgres user when the tests run as root. Started on first use, stopped at exit.

#include <string>

namespace hotspot::testsupport
{

class PostgresServer
{
  public:
    /// The process's server, started on first call; nullptr when PostgreSQL 15 or PostGIS is not
    /// installed or the server does not start, with the reason in `why_not`.
    static PostgresServer* instance(std::string& why_not);

    /// A new database with the PostGIS extension; returns its GDAL connection string.
    std::string create_database(const std::string& name) const;
    /// The GDAL connection string of a database: "PG:host=<folder> port=<port> dbname=<name> ...".
    std::string connection(const std::string& database) const;
    /// Runs SQL with psql; its output (unaligned, tuples only) in `output`. True on success.
    bool psql(const std::string& database, const std::string& sql,
              std::string* output = nullptr) const;

    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;
    ~PostgresServer();

  private:
    PostgresServer() = default;
    std::string m_folder;
    std::string m_run_as; ///< "runuser -u postgres -- " when root
    bool m_started = false;
};

} // namespace hotspot::testsupport
