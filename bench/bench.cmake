# Throughput benchmark helpers (not tests): bench/run.sh drives them.
# hs_ceiling times a plain Hyperscan scan of the benchmark capture's payloads
# with the benchmark rules' literals: the ceiling for sidewall's figures.
add_executable(hs_ceiling bench/hs_ceiling.c)
target_link_libraries(hs_ceiling PRIVATE PkgConfig::HS PkgConfig::PCAP)
# rules_load: how many rules of a rule set load, per header protocol, and why the
# others were refused (ET Open coverage); bench/rules_load.c.
if(TARGET sw_rules AND TARGET sw_config AND TARGET sw_detect)
  add_executable(rules_load bench/rules_load.c)
  target_link_libraries(rules_load PRIVATE sw_detect sw_rules sw_config)
endif()
