# Running hardened (DESIGN.md): privilege drop and seccomp filter.
add_library(sw_harden STATIC common/harden.c)
target_include_directories(sw_harden PUBLIC ${CMAKE_SOURCE_DIR})
sw_unit_test(test_harden sw_harden Threads::Threads)
if(TARGET test_harden)
  # The same executable, root-only cases (user switch): 77 = skipped without root.
  add_test(NAME test_harden_root COMMAND test_harden root)
  set_tests_properties(test_harden_root PROPERTIES LABELS unit SKIP_RETURN_CODE 77)
endif()
if(TARGET sidewall)
  target_link_libraries(sidewall PRIVATE sw_harden)
endif()
