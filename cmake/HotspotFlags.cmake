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
    $<$<BOOL:${HOTSPOT_FUZZ}>:-fsanitize=address,undefined>)
