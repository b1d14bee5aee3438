# Detection: Hyperscan prefilter + C verification (engine/detect*.c).
if(TARGET sw_rules)
  add_library(sw_detect STATIC engine/detect/detect.c engine/detect/detect_verify.c engine/detect/detect_imap.c
                               engine/detect/detect_threshold.c engine/detect/detect_host.c engine/detect/detect_head.c)
  # sw_app (engine/app/app.cmake): transaction buffers for application-layer rules.
  target_link_libraries(sw_detect PUBLIC sw_rules sw_app sw_common PkgConfig::HS PkgConfig::PCRE2 Threads::Threads)
  sw_unit_test(test_detect sw_detect)
  sw_unit_test(test_detect_head sw_detect)
endif()

# Micro-benchmark, not a test: bench/detect_micro.c (see its header comment).
if(TARGET sw_detect)
  add_executable(detect_micro bench/detect_micro.c)
  target_link_libraries(detect_micro PRIVATE sw_detect)
endif()
