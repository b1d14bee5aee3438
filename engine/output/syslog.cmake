# Off-device EVE streaming: RFC 5424 over TCP with octet counting (engine/output/syslog.c).
add_library(sw_syslog STATIC engine/output/syslog.c)
target_link_libraries(sw_syslog PUBLIC sw_common Threads::Threads)
sw_unit_test(test_syslog sw_syslog)
# EVE -> forwarder -> syslog: needs the EVE writer (engine/output/output.cmake, sw_flow).
if(TARGET sw_eve AND TARGET sw_flow)
  sw_unit_test(test_syslog_eve sw_syslog sw_eve)
endif()

# End-to-end against a real rsyslogd (Debian package rsyslog) on 127.0.0.1;
# needs no sidewall binary, only the library.  Exit 77 means rsyslogd is absent.
add_executable(syslog_e2e tests/e2e/syslog/syslog_e2e.c)
target_link_libraries(syslog_e2e PRIVATE sw_syslog)
add_test(NAME syslog_e2e COMMAND syslog_e2e 60000)
set_tests_properties(syslog_e2e PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 180)
# Same with SIGKILL outages (a collector crash): losses are reported, duplicates fail.
add_test(NAME syslog_e2e_kill COMMAND syslog_e2e 60000)
set_tests_properties(syslog_e2e_kill PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 180
                     ENVIRONMENT SW_E2E_KILL=1)

# The spool loader reads files from disk: fuzz it (segment names, torn lines, overlaps).
sw_fuzzer(fuzz_syslog_spool sw_syslog)
