# Benchmarks (bench/): built with everything else, never run by CTest. See docs/performance.md.
#   cpw-loadgen       replays one SigV4-signed request with K connections in flight (libcurl multi)
#   cpw-bench-client  signing + serialization + parsing per operation, in-process
add_executable(cpw-loadgen bench/loadgen.c)
target_compile_options(cpw-loadgen PRIVATE ${CPW_WARNINGS})
target_link_libraries(cpw-loadgen PRIVATE cpw)

add_executable(cpw-bench-client bench/client/bench_client.c)
target_compile_options(cpw-bench-client PRIVATE ${CPW_WARNINGS})
target_link_libraries(cpw-bench-client PRIVATE cpw)
