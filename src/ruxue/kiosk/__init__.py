"""Self-service terminals in service halls (plan §四(一)): a login by ID card and face, the same
seven steps as online, and the notice printed on the terminal's printer."""
