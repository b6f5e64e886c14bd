#pragma once
// The ranks other than 0 of a run: they do the jobs rank 0 sends (density tiles, slices of records
// to locate or reconcile) until it says stop.

#include "hotspot/distributed/world.hpp"

namespace hotspot::distributed
{

/// On every rank but 0: does what rank 0 sends until it says stop, and returns the exit code rank 0
/// sent with the stop. For tests (World::fault), HOTSPOT_FAULT=kill:N makes rank N die when its
/// first job's data arrive, and HOTSPOT_FAULT=fail:N makes it fail there as if out of memory.
int serve(World& world);

/// On rank 0: tells every other rank to leave serve() with `exit_code`.
void stop_serving(World& world, int exit_code);

} // namespace hotspot::distributed
