// SystemC's library defines main() and calls sc_main(): GoogleTest starts from here
// (never link gtest_main, see docs/toolchain.md). Each test runs in its own process (ctest,
// DISCOVERY_MODE PRE_TEST) because SystemC cannot elaborate twice.
#include <gtest/gtest.h>

#include <systemc>

int sc_main(int argc, char* argv[]) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
