#include "hotspot/engine/core/packet.hpp"

#include "hotspot/engine/core/error.hpp"

#include <cstring>

namespace hotspot::engine
{

void Packet::read(void* p, std::size_t n)
{
    if (n == 0)
        return; // an empty array's data() may be null, which memcpy may not take
    if (m_read + n > m_bytes.size())
        throw Error(Errc::Internal, "packed bytes are shorter than they say (a message cut short)");
    std::memcpy(p, m_bytes.data() + m_read, n);
    m_read += n;
}

} // namespace hotspot::engine
