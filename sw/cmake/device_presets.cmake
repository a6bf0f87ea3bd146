# The device presets of --device are written once, in data/devices/presets.json, and compiled into
# sw/src/device.cpp from there. Both the main build (sw/CMakeLists.txt) and the stand-alone fuzz build
# (tb/fuzz/CMakeLists.txt) compile device.cpp, so both call this.
#   ssnn_generate_device_presets(TARGET ROOT): write <binary dir>/generated/device_presets.hpp from
#   ROOT/data/devices/presets.json and add it to TARGET's private include path.
function(ssnn_generate_device_presets target root)
  set(presets ${root}/data/devices/presets.json)
  file(READ ${presets} SSNN_DEVICE_PRESETS_TEXT)
  configure_file(${root}/sw/src/device_presets.hpp.in
                 ${CMAKE_CURRENT_BINARY_DIR}/generated/device_presets.hpp @ONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${presets})
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
endfunction()
