"""Operations: what the operators watch (metrics, readiness, traces) and the check after a restore.

Wired from the composition roots (``web.app.create_app``, ``worker.start``); no feature imports it."""
