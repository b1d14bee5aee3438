# Off-device EVE streaming: RFC 5424 over TCP with octet counting (engine/syslog.c).
add_library(sw_syslog STATIC engine/syslog.c)
target_link_libraries(sw_syslog PUBLIC sw_common Threads::Threads)
sw_unit_test(test_syslog sw_syslog)
