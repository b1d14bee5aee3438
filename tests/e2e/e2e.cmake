# Offline end-to-end test: sidewall on the generated captures in
# tests/fixtures/pcap (tests/gen/traffic.py) and on the demo, checked against
# the generator's expectations and the EVE schema in ../shared/reference.
if(TARGET sidewall)
  add_test(NAME e2e_offline
           COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/offline.py
                   --sidewall $<TARGET_FILE:sidewall>
                   --src ${CMAKE_SOURCE_DIR}
                   --schema ${CMAKE_SOURCE_DIR}/../shared/reference/eve-schema.json)
  set_tests_properties(e2e_offline PROPERTIES LABELS e2e TIMEOUT 600)
endif()

# HTTP/1.x application layer: tests/fixtures/pcap/http*.pcap (tests/gen/http.py),
# tests/e2e/http.rules; exact alerts, app_proto, EVE http records, 1/2/4 threads.
if(TARGET sidewall)
  add_test(NAME e2e_http
           COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/http_e2e.py
                   --sidewall $<TARGET_FILE:sidewall>
                   --src ${CMAKE_SOURCE_DIR}
                   --schema ${CMAKE_SOURCE_DIR}/../shared/reference/eve-schema.json)
  set_tests_properties(e2e_http PROPERTIES LABELS e2e TIMEOUT 300)
endif()

# DNS application layer: tests/fixtures/pcap/dns.pcap (tests/gen/dns.py), tests/e2e/dns.rules;
# one transaction per message (Suricata 8), dns.query/dotprefix, v3 dns records, 1/2/4 threads.
if(TARGET sidewall)
  add_test(NAME e2e_dns
           COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/dns_e2e.py
                   --sidewall $<TARGET_FILE:sidewall>
                   --src ${CMAKE_SOURCE_DIR}
                   --schema ${CMAKE_SOURCE_DIR}/../shared/reference/eve-schema.json)
  set_tests_properties(e2e_dns PROPERTIES LABELS e2e TIMEOUT 300)
endif()

# TLS application layer: the real OpenSSL captures tests/fixtures/pcap/tls-*.pcap
# (tests/gen/tls.sh) against tests/fixtures/tls/expected.json (tests/gen/tls_ref.py),
# tests/e2e/tls.rules; exact alerts, tls records, ja3/ja4-fingerprints auto/yes,
# 1/2/4 threads; as root also a live handshake in two namespaces of its own
# (SKIP printed without root, the offline checks still run).
if(TARGET sidewall)
  add_test(NAME e2e_tls
           COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/tls_e2e.py
                   --sidewall $<TARGET_FILE:sidewall>
                   --src ${CMAKE_SOURCE_DIR}
                   --schema ${CMAKE_SOURCE_DIR}/../shared/reference/eve-schema.json)
  set_tests_properties(e2e_tls PROPERTIES LABELS e2e TIMEOUT 300)
endif()

# Tunnels and encapsulations: tests/fixtures/pcap/tunnel*.pcap (tests/gen/tunnel.py),
# tests/e2e/tunnel.rules; the inner session's alert and inner flow record per
# encapsulation, decoder counters, decoder.vxlan.ports, 1/2/4 threads.
if(TARGET sidewall)
  add_test(NAME e2e_tunnel
           COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/tunnel_e2e.py
                   --sidewall $<TARGET_FILE:sidewall>
                   --src ${CMAKE_SOURCE_DIR}
                   --schema ${CMAKE_SOURCE_DIR}/../shared/reference/eve-schema.json)
  set_tests_properties(e2e_tunnel PROPERTIES LABELS e2e TIMEOUT 300)
endif()

# TCP stream fidelity: the evasion classics of tests/gen/evasion.py (retransmissions,
# overlaps under host-os-policy linux / bsd / first, RSTs out of window, in window,
# exact) with tests/e2e/stream.rules; exact alert counts, each run twice.
if(TARGET sidewall)
  add_test(NAME e2e_stream
           COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/stream_e2e.py
                   --sidewall $<TARGET_FILE:sidewall>
                   --src ${CMAKE_SOURCE_DIR}
                   --schema ${CMAKE_SOURCE_DIR}/../shared/reference/eve-schema.json)
  set_tests_properties(e2e_stream PROPERTIES LABELS e2e TIMEOUT 300)
endif()

# Stateful keywords: flowint, flow.pkts/bytes/age, hostbits, xbits, thresholds
# across flows and threshold.config (threshold-file:), on a capture made by
# the test with scapy; exact alerts, identical with 1, 2 and 4 threads.
if(TARGET sidewall)
  add_test(NAME e2e_state
           COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/state_e2e.py
                   --sidewall $<TARGET_FILE:sidewall>)
  set_tests_properties(e2e_state PROPERTIES LABELS e2e TIMEOUT 300)
endif()
