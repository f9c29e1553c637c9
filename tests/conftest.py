pytest_plugins = ["organising_shared.testing.plugin"]
