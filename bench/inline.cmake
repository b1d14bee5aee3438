# Inline (NFQUEUE) benchmark helpers: not tests.  nfq_noop is the no-op
# consumer that bench/inline_bench.sh uses as the ceiling for the inline path;
# sw_udp_pingpong is the bounded load generator (latency and packet rate).
if(TARGET sw_nfq)
  add_executable(nfq_noop bench/nfq_noop.c)
  target_link_libraries(nfq_noop PRIVATE sw_nfq Threads::Threads)
endif()
add_executable(inline_load bench/inline_load.c)
