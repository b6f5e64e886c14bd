#include "postgres_server.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

namespace hotspot::testsupport
{

namespace
{
namespace fs = std::filesystem;
const std::string bin = "/usr/lib/postgresql/15/bin/";
constexpr int port = 5433; // on the folder's socket only: no clash with any other server

std::string quoted(const std::string& text)
{
    std::string out = "'";
    for (const char c : text)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

int run(const std::string& command)
{
    return std::system((command + " >/dev/null 2>&1").c_str());
}
} // namespace

PostgresServer* PostgresServer::instance(std::string& why_not)
{
    static std::unique_ptr<PostgresServer> server;
    static std::string failure;
    if (server || !failure.empty())
    {
        why_not = failure;
        return server.get();
    }
    if (!fs::exists(bin + "initdb") || !fs::exists("/usr/bin/psql"))
        failure = "PostgreSQL 15 is not installed (Debian package postgresql-15; make deps "
                  "installs it)";
    else if (!fs::exists("/usr/share/postgresql/15/extension/postgis.control"))
        failure = "PostGIS is not installed (Debian package postgresql-15-postgis-3; make deps "
                  "installs it)";
    if (!failure.empty())
    {
        why_not = failure;
        return nullptr;
    }
    auto s = std::unique_ptr<PostgresServer>(new PostgresServer);
    s->m_folder =
        (fs::temp_directory_path() / ("hotspot_pg_" + std::to_string(::getpid()))).string();
    fs::remove_all(s->m_folder);
    fs::create_directories(s->m_folder);
    if (::geteuid() == 0)
    {
        // initdb refuses root: the cluster belongs to the postgres user the package made.
        const passwd* postgres = ::getpwnam("postgres");
        if (!postgres || ::chown(s->m_folder.c_str(), postgres->pw_uid, postgres->pw_gid) != 0)
            failure = "the tests run as root and there is no postgres user to run the server";
        s->m_run_as = "runuser -u postgres -- ";
    }
    const std::string data = s->m_folder + "/data";
    if (failure.empty() &&
        run(s->m_run_as + bin + "initdb -D " + quoted(data) + " -A trust -U postgres") != 0)
        failure = "initdb failed in " + s->m_folder;
    if (failure.empty() && run(s->m_run_as + bin + "pg_ctl -D " + quoted(data) + " -l " +
                               quoted(s->m_folder + "/server.log") + " -w -t 60 -o " +
                               quoted("-p " + std::to_string(port) + " -k " + s->m_folder +
                                      " -c listen_addresses='' -c fsync=off") +
                               " start") != 0)
        failure = "the PostgreSQL server did not start (see " + s->m_folder + "/server.log)";
    if (!failure.empty())
    {
        why_not = failure;
        return nullptr;
    }
    s->m_started = true;
    server = std::move(s);
    return server.get();
}

PostgresServer::~PostgresServer()
{
    if (m_started)
        run(m_run_as + bin + "pg_ctl -D " + quoted(m_folder + "/data") + " -m immediate stop");
    std::error_code ignored;
    fs::remove_all(m_folder, ignored);
}

std::string PostgresServer::connection(const std::string& database) const
{
    return "PG:host=" + m_folder + " port=" + std::to_string(port) + " dbname=" + database +
           " user=postgres";
}

bool PostgresServer::psql(const std::string& database, const std::string& sql,
                          std::string* output) const
{
    const std::string command = "psql -X -q -A -t -v ON_ERROR_STOP=1 -h " + quoted(m_folder) +
                                " -p " + std::to_string(port) + " -U postgres -d " +
                                quoted(database) + " -c " + quoted(sql) + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        return false;
    std::string text;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
        text.append(buffer, n);
    const int status = ::pclose(pipe);
    if (output)
        *output = text;
    return status == 0;
}

std::string PostgresServer::create_database(const std::string& name) const
{
    psql("postgres", "DROP DATABASE IF EXISTS " + name);
    psql("postgres", "CREATE DATABASE " + name);
    psql(name, "CREATE EXTENSION postgis");
    return connection(name);
}

} // namespace hotspot::testsupport
