# Compile flags shared by every hotspot target, carried by an INTERFACE target so that they flow to
# whatever links a hotspot library.
add_library(hotspot_flags INTERFACE)
target_compile_features(hotspot_flags INTERFACE cxx_std_20)
target_compile_options(hotspot_flags INTERFACE
    -Wall -Wextra -Wpedantic
    # No fused multiply-add: the same source gives the same numbers on every machine we build on.
    -ffp-contract=off
    $<$<BOOL:${HOTSPOT_WERROR}>:-Werror>
    $<$<BOOL:${HOTSPOT_SANITIZE}>:-fsanitize=address,undefined -fno-omit-frame-pointer>)
target_link_options(hotspot_flags INTERFACE
    $<$<BOOL:${HOTSPOT_SANITIZE}>:-fsanitize=address,undefined>)
