# Rule parser (rules/*.c): Suricata-compatible rules -> struct sw_rule.
add_library(sw_rules STATIC rules/rules.c rules/parse.c rules/addrport.c rules/vars.c rules/thresh_conf.c)
target_link_libraries(sw_rules PUBLIC sw_common PkgConfig::PCRE2)
sw_unit_test(test_rules sw_rules)
sw_fuzzer(fuzz_rules sw_rules)
