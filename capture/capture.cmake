add_library(sw_capture STATIC capture/pcap.c)
target_link_libraries(sw_capture PUBLIC sw_common PkgConfig::PCAP)
