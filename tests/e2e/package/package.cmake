# The Debian packages (issue 13 item 5): dpkg-buildpackage from the tracked
# tree, contents, lintian, and the packaged programs run on the packaged
# configuration.  Builds the programs again (a few minutes).
add_test(NAME e2e_package
         COMMAND ${CMAKE_SOURCE_DIR}/tests/e2e/package/package_test.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e_package PROPERTIES
                     LABELS e2e
                     TIMEOUT 900
                     RUN_SERIAL TRUE)
