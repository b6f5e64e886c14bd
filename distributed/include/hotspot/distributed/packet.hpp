#pragma once
// Polygons in a message between ranks.

#include "hotspot/engine/core/geometry.hpp"
#include "hotspot/engine/core/packet.hpp"

#include <vector>

namespace hotspot::distributed
{

using engine::Packet;

/// Polygons in a packet: for each shape its polygons, for each polygon its rings (outer first),
/// for each ring its points.
void put_shapes(Packet& packet, const std::vector<const engine::MultiPolygon*>& shapes);
std::vector<engine::MultiPolygon> take_shapes(Packet& packet);

} // namespace hotspot::distributed
