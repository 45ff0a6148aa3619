#===- AnvilInstall.cmake - What `cmake --install` puts where --------------===#
#
# The installed tree has the build tree's layout (anvil/Support/Paths.h), and
# every path in it is relative, so it works wherever it is moved:
#
#   bin/                    anvil-compile, anvil-run, anvil-opt
#   lib/                    libanvil_runtime.so (the C API)
#   lib/anvil/              anvil-ld and the archives host artifacts link
#   include/anvil-c/        the C API's headers
#   share/anvil/targets/    the machine descriptions
#   lib/cmake/Anvil/        find_package(Anvil): Anvil::runtime, anvil_add_model
#   lib/pkgconfig/anvil.pc  the runtime for pkg-config
#   lib/python3/dist-packages/anvil/  the Python package
#
#===----------------------------------------------------------------------===#

include(CMakePackageConfigHelpers)
get_filename_component(ANVIL_OPENMP_LIBRARY_DIR ${ANVIL_OPENMP_LIBRARY} DIRECTORY)

install(TARGETS anvil-compile anvil-run anvil-opt RUNTIME DESTINATION bin)
install(TARGETS anvil-ld RUNTIME DESTINATION lib/anvil)
install(TARGETS AnvilRuntime EXPORT AnvilTargets
  LIBRARY DESTINATION lib
  INCLUDES DESTINATION include)
install(FILES
  include/anvil-c/Runtime.h include/anvil-c/MTIA.h include/anvil-c/Kernels.h
  DESTINATION include/anvil-c)
install(FILES $<TARGET_FILE:AnvilHostKernels>
  ${PROJECT_BINARY_DIR}/lib/anvil/libanvil_builtins.a
  DESTINATION lib/anvil)
install(DIRECTORY targets/ DESTINATION share/anvil/targets
  FILES_MATCHING PATTERN "*.json")
install(DIRECTORY python/anvil DESTINATION lib/python3/dist-packages
  PATTERN "__pycache__" EXCLUDE)
install(FILES python/anvil_fx_export.py DESTINATION lib/python3/dist-packages)

set_target_properties(AnvilRuntime PROPERTIES EXPORT_NAME runtime)
target_include_directories(AnvilRuntime INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:include>)
install(EXPORT AnvilTargets NAMESPACE Anvil:: DESTINATION lib/cmake/Anvil)
configure_package_config_file(cmake/AnvilConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/AnvilConfig.cmake
  INSTALL_DESTINATION lib/cmake/Anvil)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/AnvilConfigVersion.cmake
  VERSION ${ANVIL_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/AnvilConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/AnvilConfigVersion.cmake
  DESTINATION lib/cmake/Anvil)

# pkg-config computes the prefix from the file's own location.
configure_file(cmake/anvil.pc.in ${PROJECT_BINARY_DIR}/cmake/anvil.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cmake/anvil.pc DESTINATION lib/pkgconfig)
