add_library(sw_capture STATIC capture/pcap.c)
target_link_libraries(sw_capture PUBLIC sw_common PkgConfig::PCAP)
add_library(sw_nfq STATIC capture/nfq.c capture/ctmark.c)
target_link_libraries(sw_nfq PUBLIC sw_common PkgConfig::NFQ PkgConfig::MNL)
