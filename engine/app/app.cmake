# Application layer (engine/app/): protocol detection by content, HTTP/1.x
# through libhtp (Debian libhtp-dev), transactions and their buffers.
# Not IMPORTED_TARGET: Debian 12's htp.pc names an include directory that does not
# exist (${libdir}/htp/include), which CMake refuses on an imported target; the
# headers are in /usr/include/htp and need nothing more.
pkg_check_modules(HTP REQUIRED htp)
add_library(sw_libhtp INTERFACE)
target_link_libraries(sw_libhtp INTERFACE ${HTP_LINK_LIBRARIES})

# Protocol detection: pure functions over a direction's first bytes.
if(EXISTS ${CMAKE_SOURCE_DIR}/engine/app/probe.c)
  add_library(sw_probe STATIC engine/app/probe.c)
  target_link_libraries(sw_probe PUBLIC sw_common)
  sw_unit_test(test_app_probe sw_probe)
  sw_fuzzer(fuzz_app_probe sw_probe)
endif()

# HTTP/1.x: libhtp connection parsers, transactions, buffers, EVE object.
if(EXISTS ${CMAKE_SOURCE_DIR}/engine/app/http.c AND TARGET sw_eve)
  add_library(sw_http STATIC engine/app/http.c)
  target_link_libraries(sw_http PUBLIC sw_common sw_eve sw_libhtp)
  sw_unit_test(test_http sw_http)
  sw_fuzzer(fuzz_http sw_http)
endif()

# DNS over UDP and TCP: a bounded parser of our own, one transaction per message,
# dns.query, the EVE object (engine/app/dns.c).
if(EXISTS ${CMAKE_SOURCE_DIR}/engine/app/dns.c AND TARGET sw_eve)
  add_library(sw_dns STATIC engine/app/dns.c)
  target_link_libraries(sw_dns PUBLIC sw_common sw_eve)
  sw_unit_test(test_dns sw_dns)
  sw_fuzzer(fuzz_dns sw_dns)
endif()

# TLS: record layer, handshake, certificates through libcrypto (OpenSSL: d2i_X509,
# digests for fingerprints and JA3/JA4), the EVE object (engine/app/tls.c).
if(EXISTS ${CMAKE_SOURCE_DIR}/engine/app/tls.c AND TARGET sw_eve)
  add_library(sw_tls STATIC engine/app/tls.c)
  target_link_libraries(sw_tls PUBLIC sw_common sw_eve PkgConfig::CRYPTO)
  if(EXISTS ${CMAKE_SOURCE_DIR}/tests/unit/test_tls.c)
    sw_unit_test(test_tls sw_tls)
  endif()
  if(EXISTS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_tls.c)
    sw_fuzzer(fuzz_tls sw_tls)
  endif()
endif()

# SSH: banners and the cleartext packets up to NEWKEYS (engine/app/ssh.c).
if(EXISTS ${CMAKE_SOURCE_DIR}/engine/app/ssh.c AND TARGET sw_eve)
  add_library(sw_ssh STATIC engine/app/ssh.c)
  target_link_libraries(sw_ssh PUBLIC sw_common sw_eve)
  if(EXISTS ${CMAKE_SOURCE_DIR}/tests/unit/test_ssh.c)
    sw_unit_test(test_ssh sw_ssh)
  endif()
  if(EXISTS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_ssh.c)
    sw_fuzzer(fuzz_ssh sw_ssh)
  endif()
endif()

# The dispatcher the worker calls (engine/app/app.c).
if(EXISTS ${CMAKE_SOURCE_DIR}/engine/app/app.c AND TARGET sw_probe AND TARGET sw_http AND TARGET sw_dns
   AND TARGET sw_tls AND TARGET sw_ssh AND TARGET sw_flow)
  add_library(sw_app STATIC engine/app/app.c)
  target_link_libraries(sw_app PUBLIC sw_probe sw_http sw_dns sw_tls sw_ssh sw_flow sw_common)
endif()

# Detection + parsers together: transaction rules on real libhtp transactions.
if(TARGET sw_app AND TARGET sw_detect)
  sw_unit_test(test_app sw_app sw_detect)
endif()
if(TARGET sw_app AND TARGET sw_detect)
  # Random bytes through detection + libhtp + transaction rules, both directions.
  sw_fuzzer(fuzz_app sw_app sw_detect)
endif()
