# Regenerates build_info.cpp (git sha, dirty flag, version, compiler) on every build, rewriting it
# only when its content changes, so provenance never goes stale and unchanged builds stay no-ops.
set(KDAD_BUILD_INFO_CPP ${CMAKE_BINARY_DIR}/generated/build_info.cpp)
add_custom_target(kdad_build_info_gen
  BYPRODUCTS ${KDAD_BUILD_INFO_CPP}
  COMMAND ${CMAKE_COMMAND}
    -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
    -DOUTPUT=${KDAD_BUILD_INFO_CPP}
    -DKDAD_VERSION=${PROJECT_VERSION}
    "-DCOMPILER=${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}"
    -DBUILD_TYPE=${CMAKE_BUILD_TYPE}
    -P ${CMAKE_SOURCE_DIR}/cmake/WriteBuildInfo.cmake
  COMMENT "Reading git state for provenance"
  VERBATIM)
