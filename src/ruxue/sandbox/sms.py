"""The sandbox's SMS gateway: it keeps what it was sent. A message sent with an ``Idempotency-Key``
it has seen before is not sent again: the first answer is given again, so a sender that died after
the gateway took a message but before it wrote that down cannot text anyone twice."""

import datetime as dt
import itertools
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

KEEP_MESSAGES = 500
KEEP_KEYS = 10_000  # the oldest keys are forgotten first, as a gateway's key expiry would


class KeyReused(Exception):
    """The key came before with another message."""


class SmsLog:
    def __init__(self, clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.clock = clock
        self.messages: deque[dict[str, Any]] = deque(maxlen=KEEP_MESSAGES)
        self._answers: OrderedDict[str, tuple[str, str, dict[str, str]]] = OrderedDict()
        self._numbers = itertools.count(1)

    def send(self, phone: str, text: str, key: str | None = None) -> tuple[dict[str, str], bool]:
        """The gateway's answer, and whether it repeats the answer to an earlier call."""
        if key is not None and key in self._answers:
            first_phone, first_text, answer = self._answers[key]
            if (first_phone, first_text) != (phone, text):
                raise KeyReused(key)
            return answer, True
        answer = {"status": "sent", "message_id": f"sms-{next(self._numbers)}"}
        at = self.clock().isoformat()  # the app's clock: the demo's SMS agree with its dates
        message = {"at": at, "phone": phone, "text": text, "id": answer["message_id"]}
        self.messages.appendleft(message)
        if key is not None:
            self._answers[key] = (phone, text, answer)
            if len(self._answers) > KEEP_KEYS:
                self._answers.popitem(last=False)
        return answer, False

    def to(self, phone: str) -> list[dict[str, Any]]:
        """The messages sent, newest first; ``phone`` narrows them to one recipient."""
        return [m for m in self.messages if m["phone"] == phone] if phone else list(self.messages)
