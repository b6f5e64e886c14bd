#include "cli.hpp"

int main(int argc, char** argv)
{
    return hotspot::app::run_cli(argc, argv);
}
