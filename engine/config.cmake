add_library(sw_config STATIC engine/config.c)
target_include_directories(sw_config PUBLIC ${CMAKE_SOURCE_DIR}/engine ${CMAKE_SOURCE_DIR})
target_link_libraries(sw_config PUBLIC sw_common sw_decode sw_flow PkgConfig::YAML) # sw_flow: host-os-policy names
sw_unit_test(test_config sw_config)
sw_fuzzer(fuzz_config sw_config)
# metrics.listen is checked with common/hostport.c
target_link_libraries(sw_config PUBLIC sw_prom)
