# The one place Rescale's version is set: the top-level project, the
# standalone runtime project (cmake -S runtime), the installed package
# configs (RescaleConfigVersion.cmake, RescaleRuntimeConfigVersion.cmake) and
# the Debian package all read it from here.
set(RESCALE_VERSION 0.1.0)
