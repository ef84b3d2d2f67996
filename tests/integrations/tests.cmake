# Integration script tests (tests/integrations/*_test.sh): the pre-commit
# framework, `vigil hook`, the GitHub Action's and the Azure template's
# scripts, baselines, suppressions, SARIF from every mode, `vigil explain`.
# Each takes the vigil binary as its argument; exit 77 means skipped (e.g.
# pre-commit not installed).
file(GLOB vigil_integration_tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/integrations/*_test.sh)
foreach(script IN LISTS vigil_integration_tests)
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME integrations.${name} COMMAND bash ${script} $<TARGET_FILE:vigil>)
  set_tests_properties(integrations.${name} PROPERTIES LABELS integrations TIMEOUT 300
    SKIP_RETURN_CODE 77)
endforeach()
