# Compile flags shared by every hotspot target, carried by an INTERFACE target so that they flow to
# whatever links a hotspot library.
add_library(hotspot_flags INTERFACE)
target_compile_features(hotspot_flags INTERFACE cxx_std_20)
target_compile_options(hotspot_flags INTERFACE
    -Wall -Wextra -Wpedantic
    # No fused multiply-add: the same source gives the same numbers on every machine we build on.
    # Options structs are filled with designated initializers that leave defaulted fields out on purpose.
    -Wno-missing-field-initializers
    -ffp-contract=off
    # GCC 12 reports -Wrestrict falsely on inlined std::string concatenation (GCC bug 105329).
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>
    $<$<BOOL:${HOTSPOT_WERROR}>:-Werror>
    # Undefined behaviour stops the run, so that a test that meets it fails.
    $<$<BOOL:${HOTSPOT_SANITIZE}>:-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer>
    # Coverage for libFuzzer in every hotspot library; the harnesses link the fuzzer itself.
    $<$<BOOL:${HOTSPOT_FUZZ}>:-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer>)
target_link_options(hotspot_flags INTERFACE
    $<$<BOOL:${HOTSPOT_SANITIZE}>:-fsanitize=address,undefined>
    # Sanitized programs linked position-dependent: UBSan's check records hold a million pointers that
    # a position-independent program relocates at every start (0.15 s of each test's process).
    $<$<AND:$<BOOL:${HOTSPOT_SANITIZE}>,$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>>:-no-pie>
    $<$<BOOL:${HOTSPOT_FUZZ}>:-fsanitize=address,undefined>)

# Faster builds, the same objects' code: each library and test program compiled as a few unity
# files (its .cpp files included together, so the heavy headers of GDAL, CLI11, TBB and Boost are
# parsed, and the templates they share generated, once per unity file rather than once per
# source). Precompiled headers no longer pay for themselves over two or three unity files.
option(HOTSPOT_UNITY "Compile the libraries and test programs as unity files" ON)

function(hotspot_unity target)
    if(HOTSPOT_UNITY)
        # Sources with their own compile options (kde.cpp) are left out of the unity files by CMake.
        set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
        # A type from one source's anonymous namespace inside another's class is fine when the two
        # are compiled apart; in one unity file GCC warns that it looks like a header's.
        if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
            target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
        endif()
    endif()
endfunction()

# A test program compiled as a few unity files, one a group: hotspot_unity_groups(target GROUP a
# x.cpp y.cpp GROUP b z.cpp). Test sources each instantiate the same Catch, JSON and string
# templates, which a unity file generates once; the groups keep apart the sources whose file-local
# names (a helper, a data path) are the same.
function(hotspot_unity_groups target)
    if(NOT HOTSPOT_UNITY)
        return()
    endif()
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE GROUP)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
    endif()
    foreach(item IN LISTS ARGN)
        if(item STREQUAL "GROUP")
            set(take_name ON)
        elseif(take_name)
            set(group ${target}_${item})
            set(take_name OFF)
        else()
            set_source_files_properties(${item} PROPERTIES UNITY_GROUP ${group})
        endif()
    endforeach()
endfunction()

# Test programs and test tools are compiled without optimisation (-O0): they build in about half
# the time, and the code they test (engine, io, distributed) and the seeded generators keep their
# optimisation, so they run about as fast. The command line's wiring (apps/, the Python module)
# spends no time worth -O3's compile time (a third longer than -O2): it is compiled -O2 in Release,
# and -O0 under the sanitizers, where the CLI tests spend their time in engine and io.
function(hotspot_test_code target)
    target_compile_options(${target} PRIVATE -O0)
endfunction()
function(hotspot_wiring target)
    if(HOTSPOT_SANITIZE)
        target_compile_options(${target} PRIVATE -O0)
    else()
        target_compile_options(${target} PRIVATE $<$<CONFIG:Release>:-O2>)
    endif()
endfunction()

# mold links the test, fuzz and command programs several times faster than the default linker
# (Debian's mold, which make deps installs); without it, the default linker.
option(HOTSPOT_MOLD "Link with mold when it is installed" ON)
find_program(HOTSPOT_MOLD_PROGRAM mold)
if(HOTSPOT_MOLD AND HOTSPOT_MOLD_PROGRAM AND
   ((CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12.1) OR
    (CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12)))
    target_link_options(hotspot_flags INTERFACE -fuse-ld=mold)
endif()
