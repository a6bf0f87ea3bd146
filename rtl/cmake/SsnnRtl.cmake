# Verilating the SSNN-BP RTL units (rtl/*.sv) from CMake: C++ models for the unit tests, SystemC
# models (--sc) for co-simulation inside the chip model.
#
#   include(${PROJECT_SOURCE_DIR}/rtl/cmake/SsnnRtl.cmake)
#   ssnn_rtl_verilate(<library>
#       UNIT   <top module, e.g. ssnn_composite_neuron>
#       PREFIX <generated class, unique in the build, e.g. Vsc_neuron_hidden>
#       [SYSTEMC]                 # verilate with --sc (ports are sc_in/sc_out)
#       [TRACE_FST]               # --trace-fst (model->trace(VerilatedFstC/VerilatedFstSc*, depth))
#       [PARAMS Name=Value ...]   # parameter overrides (-G), e.g. ChargeBits=24 "OutputLayer=1'b1"
#       [VERILATOR_ARGS ...])     # more Verilator options, e.g. --timescale 1ns/1ns
#
# The RTL has no `timescale: Verilator's default 1ps/1ps matches SystemC's default resolution; a
# SystemC model that calls sc_set_time_resolution(1, SC_NS) passes VERILATOR_ARGS --timescale 1ns/1ns.
#
# Adds one model to the static library <library>, creating the library on first use. Put every model
# of one executable into one library: Verilator's runtime is compiled once per library (about 16 s
# CPU), and two libraries in one executable would each define it. The models of one library must
# all be C++ or all SystemC, and all traced or all untraced.
#
# Consumers of <library> get Verilator's and the models' headers as SYSTEM includes (their own
# warning flags stay on), and VM_SC / VM_TRACE / VM_TRACE_FST / VM_COVERAGE as compile definitions,
# which verilated.h requires to match the library's. A SYSTEMC library links SystemC through the
# pkg-config target PkgConfig::SYSTEMC_PC (wrapped as Verilator::systemc).
include_guard(GLOBAL)

find_package(verilator QUIET)

# rtl/*.sv, package first (Verilator and yosys need it before its users).
set(SSNN_RTL_DIR "${CMAKE_CURRENT_LIST_DIR}/.." CACHE INTERNAL "SSNN RTL sources")
get_filename_component(SSNN_RTL_DIR "${SSNN_RTL_DIR}" ABSOLUTE)
file(GLOB _ssnn_rtl_units CONFIGURE_DEPENDS "${SSNN_RTL_DIR}/ssnn_*.sv")
list(REMOVE_ITEM _ssnn_rtl_units "${SSNN_RTL_DIR}/ssnn_pkg.sv")
list(SORT _ssnn_rtl_units)
set(SSNN_RTL_SOURCES "${SSNN_RTL_DIR}/ssnn_pkg.sv" ${_ssnn_rtl_units})

# Verilator::systemc in the calling directory, from the pkg-config target (Debian's SystemC has no
# CMake package). Reuses PkgConfig::SYSTEMC_PC when the directory already found it.
function(_ssnn_rtl_systemc_target)
  if(TARGET Verilator::systemc)
    return()
  endif()
  if(NOT TARGET PkgConfig::SYSTEMC_PC)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(SYSTEMC_PC REQUIRED IMPORTED_TARGET systemc)
  endif()
  add_library(Verilator::systemc INTERFACE IMPORTED)
  target_link_libraries(Verilator::systemc INTERFACE PkgConfig::SYSTEMC_PC)
endfunction()

function(ssnn_rtl_verilate lib)
  cmake_parse_arguments(ARG "SYSTEMC;TRACE_FST" "UNIT;PREFIX" "PARAMS;VERILATOR_ARGS" ${ARGN})
  if(NOT verilator_FOUND)
    message(FATAL_ERROR "ssnn_rtl_verilate: Verilator not found (scripts/setup.sh installs it)")
  endif()
  if(NOT ARG_UNIT OR NOT ARG_PREFIX)
    message(FATAL_ERROR "ssnn_rtl_verilate(${lib}): UNIT and PREFIX are required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ssnn_rtl_verilate(${lib}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()

  set(sc_flag 0)
  set(trace_flag 0)
  if(ARG_SYSTEMC)
    set(sc_flag 1)
  endif()
  if(ARG_TRACE_FST)
    set(trace_flag 1)
  endif()

  if(NOT TARGET ${lib})
    add_library(${lib} STATIC)
    set_target_properties(${lib} PROPERTIES POSITION_INDEPENDENT_CODE ON
                                            SSNN_RTL_SYSTEMC ${sc_flag}
                                            SSNN_RTL_TRACE ${trace_flag})
    target_compile_features(${lib} PUBLIC cxx_std_17)
    target_compile_definitions(${lib} INTERFACE
      VM_SC=${sc_flag} VM_TRACE=${trace_flag} VM_TRACE_FST=${trace_flag} VM_TRACE_VCD=0 VM_COVERAGE=0)
    if(ARG_SYSTEMC)
      _ssnn_rtl_systemc_target()
      target_link_libraries(${lib} PUBLIC Verilator::systemc)
    endif()
    if(trace_flag)
      find_package(ZLIB REQUIRED)  # FST writer
      target_link_libraries(${lib} PUBLIC ZLIB::ZLIB)
    endif()
  else()
    get_target_property(lib_sc ${lib} SSNN_RTL_SYSTEMC)
    get_target_property(lib_trace ${lib} SSNN_RTL_TRACE)
    if(NOT lib_sc STREQUAL sc_flag OR NOT lib_trace STREQUAL trace_flag)
      message(FATAL_ERROR "ssnn_rtl_verilate(${lib}): ${ARG_PREFIX} differs from the library's "
                          "SYSTEMC/TRACE_FST choice; use another library")
    endif()
  endif()

  set(gparams)
  foreach(p IN LISTS ARG_PARAMS)
    list(APPEND gparams "-G${p}")
  endforeach()
  set(mode)
  if(ARG_SYSTEMC)
    list(APPEND mode SYSTEMC)
  endif()
  if(ARG_TRACE_FST)
    list(APPEND mode TRACE_FST)
  endif()

  # -Wall with -Wno-fatal: warnings are shown but do not stop a configure (the RTL is lint-clean
  # under scripts/rtl_lint.sh, which is fatal). --assert enables the parameter and input checks.
  verilate(${lib} ${mode}
    PREFIX ${ARG_PREFIX}
    TOP_MODULE ${ARG_UNIT}
    SOURCES ${SSNN_RTL_SOURCES}
    VERILATOR_ARGS -I${SSNN_RTL_DIR} -Wall -Wno-fatal --assert -O3 --x-assign fast --x-initial fast ${gparams} ${ARG_VERILATOR_ARGS})

  # verilate() publishes its include directories as plain -I: mark them SYSTEM for consumers.
  get_target_property(incs ${lib} INTERFACE_INCLUDE_DIRECTORIES)
  set_property(TARGET ${lib} PROPERTY INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${incs})
endfunction()
