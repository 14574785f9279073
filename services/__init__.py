"""Service layer: persistence, event bus, providers, toolchain runner, keyring, workflows."""
