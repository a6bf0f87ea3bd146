// sc_main of bin/rtl_block_tests, the RTL chip blocks against their SystemC references:
// libsystemc owns main(), so GoogleTest is started from here.
#include <gtest/gtest.h>

#include <systemc>

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
