// Replays saved inputs through a fuzz harness, without libFuzzer: each file given, and every file
// in each folder given. CI runs the seed corpora and every crasher found so far this way, in the
// ordinary build and the sanitizer build.

#include "fuzz_support.hpp"

#include <algorithm>
#include <iterator>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv)
{
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i)
    {
        const fs::path arg = argv[i];
        if (fs::is_directory(arg))
        {
            for (const auto& entry : fs::recursive_directory_iterator(arg))
                if (entry.is_regular_file())
                    files.push_back(entry.path());
        }
        else if (fs::is_regular_file(arg))
            files.push_back(arg);
        else
        {
            std::fprintf(stderr, "%s: no such file or folder\n", argv[i]);
            return 2;
        }
    }
    std::sort(files.begin(), files.end());
    if (files.empty())
    {
        std::fprintf(stderr, "no inputs to replay\n");
        return 2;
    }
    for (const auto& file : files)
    {
        std::ifstream in(file, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
        std::fprintf(stderr, "%s\n", file.c_str());
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::printf("%zu inputs replayed\n", files.size());
    return 0;
}
