#pragma once
// Several arrays in one message between ranks, written and read in the same order. The ranks run
// one binary, so plain values travel as their bytes.

#include "hotspot/engine/core/geometry.hpp"

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace hotspot::distributed
{

class Packet
{
  public:
    Packet() = default;
    explicit Packet(std::string bytes) : m_bytes(std::move(bytes)) {}

    template <class T> void put(const std::vector<T>& values)
    {
        static_assert(std::is_trivially_copyable_v<T>);
        put_one<std::uint64_t>(values.size());
        append(values.data(), values.size() * sizeof(T));
    }
    void put(const std::string& text)
    {
        put_one<std::uint64_t>(text.size());
        append(text.data(), text.size());
    }
    template <class T> void put_one(const T& value)
    {
        static_assert(std::is_trivially_copyable_v<T>);
        append(&value, sizeof value);
    }

    template <class T> std::vector<T> take()
    {
        std::vector<T> values(take_one<std::uint64_t>());
        read(values.data(), values.size() * sizeof(T));
        return values;
    }
    std::string take_text()
    {
        std::string text(take_one<std::uint64_t>(), '\0');
        read(text.data(), text.size());
        return text;
    }
    template <class T> T take_one()
    {
        T value;
        read(&value, sizeof value);
        return value;
    }

    const std::string& bytes() const { return m_bytes; }

  private:
    void append(const void* p, std::size_t n) { m_bytes.append(static_cast<const char*>(p), n); }
    /// Throws Error(Internal) when the message is shorter than what is read from it.
    void read(void* p, std::size_t n);

    std::string m_bytes;
    std::size_t m_read = 0;
};

/// Polygons in a packet: for each shape its polygons, for each polygon its rings (outer first),
/// for each ring its points.
void put_shapes(Packet& packet, const std::vector<const engine::MultiPolygon*>& shapes);
std::vector<engine::MultiPolygon> take_shapes(Packet& packet);

} // namespace hotspot::distributed
