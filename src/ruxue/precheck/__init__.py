"""The pre-check of a whole cohort: families assessed in chunks, in processes, from the
departments' records, with no case written."""
