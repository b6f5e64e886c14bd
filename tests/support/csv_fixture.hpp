#pragma once
// Reads the small CSV fixtures of tests/data (golden values, point sets) without the io library,
// so that engine tests stay free of it: comma-separated, optional "quotes", one header line.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace hotspot::testsupport
{

/// The rows of tests/data/<path> after its header, as fields.
inline std::vector<std::vector<std::string>> read_fixture_csv(const std::string& path)
{
    std::ifstream in(std::string(HOTSPOT_TEST_DATA) + "/" + path);
    if (!in)
        throw std::runtime_error("cannot open test fixture " + path);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line))
    {
        std::vector<std::string> fields;
        std::stringstream ss(line);
        std::string field;
        while (std::getline(ss, field, ','))
        {
            if (field.size() >= 2 && field.front() == '"')
                field = field.substr(1, field.size() - 2);
            fields.push_back(field);
        }
        rows.push_back(fields);
    }
    return rows;
}

} // namespace hotspot::testsupport
