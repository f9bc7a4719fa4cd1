// Keep test output readable: the Functions library warns once per registration when no host is present.
process.env.AZURE_FUNCTIONS_TEST_MODE = process.env.AZURE_FUNCTIONS_TEST_MODE ?? '1';
