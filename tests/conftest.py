pytest_plugins = ["organising_shared.testing.plugin", "tests.log_scan"]
