"""Shared test support: helpers, personas and fixtures imported by test modules."""
