# Test registration. Conventions, so that adding a test never needs an edit here:
#   tests/unit/test_<name>.c     one cmocka binary per module, CTest name unit.<name>
#   tests/vectors/test_<name>.c  cmocka binaries driven by data files, CTest name vectors.<name>
#   tests/e2e/test_<name>.sh     end-to-end scripts (bash), CTest name e2e.<name>
#   tests/e2e/test_<name>.py     end-to-end scripts (Debian's /usr/bin/python3), e2e.<name>;
#                                exiting 77 (a client missing) fails them, except `peer` tests
#   tests/browser/test_<name>.py the console in headless Chromium (python3-selenium), browser.<name>;
#                                exiting 77 (Chromium missing) skips them outside CI only
#   tests/fuzz/fuzz_<name>.c     libFuzzer targets; in every build their corpus under
#                                tests/fuzz/corpus/<name>/ is replayed as CTest fuzz-replay.<name>
# Every test gets CPW_SOURCE_DIR, CPW_BUILD_DIR, CPWARDEN (the binary) and CPW_SIGV4_VECTORS.

pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)

set(CPW_TEST_ENV
    "CPW_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    "CPW_BUILD_DIR=${PROJECT_BINARY_DIR}"
    "CPWARDEN=$<TARGET_FILE:cpwarden>"
    "CPW_SIGV4_VECTORS=${CPW_SIGV4_VECTORS}")

add_library(cpw_test_harness STATIC tests/harness.c tests/stub_server.c)
target_include_directories(cpw_test_harness PUBLIC tests src)
target_compile_options(cpw_test_harness PRIVATE ${CPW_WARNINGS})
target_link_libraries(cpw_test_harness PUBLIC cpw PkgConfig::CMOCKA)

foreach(layer unit vectors)
  file(GLOB tests CONFIGURE_DEPENDS tests/${layer}/test_*.c)
  foreach(src ${tests})
    get_filename_component(name ${src} NAME_WE)
    string(REGEX REPLACE "^test_" "" short ${name})
    add_executable(${layer}_${name} ${src})
    target_compile_options(${layer}_${name} PRIVATE ${CPW_WARNINGS})
    target_link_libraries(${layer}_${name} PRIVATE cpw_test_harness)
    add_test(NAME ${layer}.${short} COMMAND ${layer}_${name})
    set_tests_properties(${layer}.${short} PROPERTIES ENVIRONMENT "${CPW_TEST_ENV}" TIMEOUT 300
                         LABELS ${layer})
  endforeach()
endforeach()

file(GLOB e2e_scripts CONFIGURE_DEPENDS tests/e2e/test_*.sh tests/e2e/test_*.py)
foreach(script ${e2e_scripts})
  get_filename_component(name ${script} NAME_WE)
  get_filename_component(ext ${script} EXT)
  string(REGEX REPLACE "^test_" "" short ${name})
  if(ext STREQUAL ".py")
    add_test(NAME e2e.${short} COMMAND /usr/bin/python3 ${script})
  else()
    add_test(NAME e2e.${short} COMMAND bash ${script})
  endif()
  # Exit 77 means "a client is missing". scripts/bootstrap installs every client the tests use,
  # so that is a failure, except for the comparison peers that Debian does not package (moto's
  # server, the AWS CLI v1): those tests are labelled `peer` and may skip.
  if(short MATCHES "moto|awscli_v1")
    set_tests_properties(e2e.${short} PROPERTIES ENVIRONMENT "${CPW_TEST_ENV}" TIMEOUT 600
                         LABELS "e2e;peer" SKIP_RETURN_CODE 77)
  else()
    set_tests_properties(e2e.${short} PROPERTIES ENVIRONMENT "${CPW_TEST_ENV}" TIMEOUT 600
                         LABELS e2e)
  endif()
endforeach()

# Browser tests: `cpwarden console` driven in Debian's headless Chromium through chromium-driver
# and python3-selenium (scripts/bootstrap installs all three). The script exits 77 when one is
# missing and CI is unset (a visible skip on a developer's machine); under CI it fails instead.
file(GLOB browser_scripts CONFIGURE_DEPENDS tests/browser/test_*.py)
foreach(script ${browser_scripts})
  get_filename_component(name ${script} NAME_WE)
  string(REGEX REPLACE "^test_" "" short ${name})
  add_test(NAME browser.${short} COMMAND /usr/bin/python3 ${script})
  set_tests_properties(browser.${short} PROPERTIES ENVIRONMENT "${CPW_TEST_ENV}" TIMEOUT 300
                       LABELS browser SKIP_RETURN_CODE 77)
endforeach()

# The ground-truth safety campaign (docs/safety.md), fast variant: a few dozen seeded worlds,
# fewer under the sanitizers. It fails (never skips) when boto3 or the binary is missing;
# `make safety-campaign WORLDS=N` runs the long variant.
if(CPW_SANITIZE)
  set(CPW_CAMPAIGN_WORLDS 12)
  set(CPW_CAMPAIGN_ENV "CPW_CAMPAIGN_SLOW=1")
else()
  set(CPW_CAMPAIGN_WORLDS 24)
  set(CPW_CAMPAIGN_ENV "CPW_CAMPAIGN_SLOW=0")
endif()
add_test(NAME safety.campaign
         COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/tests/safety/campaign.py
                 --worlds ${CPW_CAMPAIGN_WORLDS} --control 4)
set_tests_properties(safety.campaign PROPERTIES ENVIRONMENT "${CPW_TEST_ENV};${CPW_CAMPAIGN_ENV}"
                     TIMEOUT 900 LABELS "e2e;safety")

file(GLOB fuzz_targets CONFIGURE_DEPENDS tests/fuzz/fuzz_*.c)
foreach(src ${fuzz_targets})
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^fuzz_" "" short ${name})
  if(CPW_FUZZ)
    add_executable(${name} ${src})
    target_include_directories(${name} PRIVATE src)
    target_link_libraries(${name} PRIVATE cpw)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(${name}_replay ${src} tests/fuzz/replay_main.c)
    target_include_directories(${name}_replay PRIVATE src) # targets of a layer's private API
    target_compile_options(${name}_replay PRIVATE ${CPW_WARNINGS})
    target_link_libraries(${name}_replay PRIVATE cpw)
    add_test(NAME fuzz-replay.${short}
             COMMAND ${name}_replay ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${short})
    set_tests_properties(fuzz-replay.${short} PROPERTIES TIMEOUT 300 LABELS fuzz)
  endif()
endforeach()

# Layering: each probe in tests/layers/ is compiled with one layer's link interface (never as
# part of the normal build). Probes that include a header against the arrows must fail to
# compile; the control probe must compile, so a failure means the include, not the set-up.
set(CPW_LAYER_PROBES
    "core_includes_aws:cpw_core:fail" "store_includes_warden:cpw_store:fail"
    "warden_includes_sandbox:cpw_warden:fail" "sandbox_includes_warden:cpw_sandbox:fail"
    "cli_includes_sandbox_internal:cpw_warden,cpw_sandbox:fail"
    "warden_includes_store:cpw_warden:pass" "warden_includes_console:cpw_warden:fail"
    "console_includes_warden:cpw_console:pass")
foreach(probe ${CPW_LAYER_PROBES})
  string(REPLACE ":" ";" parts "${probe}")
  list(GET parts 0 name)
  list(GET parts 1 libs)
  list(GET parts 2 expect)
  string(REPLACE "," ";" libs "${libs}")
  add_library(layer_probe_${name} OBJECT EXCLUDE_FROM_ALL tests/layers/${name}.c)
  target_link_libraries(layer_probe_${name} PRIVATE ${libs})
  add_test(NAME layers.${name}
           COMMAND ${CMAKE_COMMAND} --build ${PROJECT_BINARY_DIR} --target layer_probe_${name})
  set_tests_properties(layers.${name} PROPERTIES LABELS layers RESOURCE_LOCK build-dir TIMEOUT 120)
  if(expect STREQUAL "fail")
    set_tests_properties(layers.${name} PROPERTIES WILL_FAIL TRUE)
  endif()
endforeach()

# The IAM policy engine against an independent implementation (docs/authorization.md): a seeded
# generator makes random policy sets and requests, tests/authz/iam_eval_driver.c decides them with
# cpwarden's engine and @cloud-copilot/iam-simulate (tests/authz/package.json, installed by
# scripts/bootstrap) with its own; every disagreement outside the documented classes fails.
# `make authz-diff` runs the long variant.
add_executable(authz_iam_driver tests/authz/iam_eval_driver.c)
target_compile_options(authz_iam_driver PRIVATE ${CPW_WARNINGS})
target_link_libraries(authz_iam_driver PRIVATE cpw)
add_test(NAME authz.diff
         COMMAND node ${PROJECT_SOURCE_DIR}/tests/authz/diff.mjs --cases 5000 --seed 20261205
                 --driver $<TARGET_FILE:authz_iam_driver>)
set_tests_properties(authz.diff PROPERTIES ENVIRONMENT "${CPW_TEST_ENV}" TIMEOUT 300
                     LABELS authz)

# moto's own IAM, STS and Organizations test files (tests/moto_compat/README.md) in server mode
# against a fresh sandbox per test; every test that does not pass is listed with its reason in
# tests/moto_compat/expected/, and a failure outside that ledger (or a listed test that passes)
# fails this test.
add_test(NAME compat.moto COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/tests/moto_compat/run.py)
set_tests_properties(compat.moto PROPERTIES ENVIRONMENT "${CPW_TEST_ENV}" TIMEOUT 600
                     LABELS compat)
