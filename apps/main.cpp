#include "run_cli.hpp"

#include "hotspot/distributed/world.hpp"

int main(int argc, char** argv)
{
    // Joins the MPI job when mpirun or srun started this process; a plain process otherwise.
    hotspot::distributed::World world(argc, argv);
    return hotspot::app::run_cli(argc, argv);
}
