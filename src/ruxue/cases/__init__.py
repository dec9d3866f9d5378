"""The case and its life: the model, the statuses with their named groups and transition table,
and the lifecycle, the one writer of a case's status and outcome."""
