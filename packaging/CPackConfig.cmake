# Platform packages (deb, rpm): `cpack -G DEB` / `cpack -G RPM` in the build folder.
# Desktop integration: .desktop (MIME image/png for "Open with Lienzo"), AppStream metainfo,
# hicolor icons. User data (gallery, settings, added models) lives in XDG locations, never in
# the install prefix.
set(_pkg "${CMAKE_CURRENT_LIST_DIR}")
install(FILES "${_pkg}/io.github.lienzo.Lienzo.desktop" DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES "${_pkg}/io.github.lienzo.Lienzo.metainfo.xml" DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES "${PROJECT_SOURCE_DIR}/resources/icons/lienzo.svg"
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
        RENAME io.github.lienzo.Lienzo.svg)
foreach(size 16 32 48 64 128 256)
  install(FILES "${PROJECT_SOURCE_DIR}/resources/icons/lienzo-${size}.png"
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps
          RENAME io.github.lienzo.Lienzo.png)
endforeach()
install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright)

set(CPACK_PACKAGE_NAME "lienzo")
set(CPACK_PACKAGE_VENDOR "The Lienzo developers")
set(CPACK_PACKAGE_CONTACT "The Lienzo developers <lienzo@users.noreply.github.com>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Native latent-diffusion image studio")
set(CPACK_PACKAGE_DESCRIPTION
    "Lienzo generates images with Stable Diffusion-family models on the CPU (or CUDA), shows \
the noise resolving at every step, and keeps results in a gallery with their parameters.")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PACKAGE_FILE_NAME "lienzo_${PROJECT_VERSION}_amd64")
set(CPACK_STRIP_FILES ON)

# Debian: shared-library dependencies computed by dpkg-shlibdeps, plus what it cannot see: an
# optimized BLAS for libtorch (the reference BLAS is ~50x slower, PLATFORM.md pitfall 2).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-openmp | libopenblas0")
set(CPACK_DEBIAN_PACKAGE_SECTION "graphics")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/lienzo/lienzo")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)

# RPM: automatic requirements from the ELF files, plus the BLAS.
set(CPACK_RPM_PACKAGE_LICENSE "MIT")
set(CPACK_RPM_PACKAGE_GROUP "Applications/Multimedia")
set(CPACK_RPM_PACKAGE_REQUIRES "openblas-openmp")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/share/applications /usr/share/metainfo /usr/share/icons /usr/share/icons/hicolor)

set(CPACK_GENERATOR "DEB;RPM")
include(CPack)
