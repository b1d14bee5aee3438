# Prometheus metrics (issue 13 item 3): the exposition writer and the
# HOST:PORT parser are pure (config loaders and unit tests link them
# alone); the HTTP endpoint links libmicrohttpd, the daemons only.
add_library(sw_prom STATIC common/prom.c common/hostport.c)
target_link_libraries(sw_prom PUBLIC sw_common m)
sw_unit_test(test_prom sw_prom)

pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
add_library(sw_metrics_http STATIC common/metrics_http.c)
target_link_libraries(sw_metrics_http PUBLIC sw_prom PkgConfig::MHD Threads::Threads)
