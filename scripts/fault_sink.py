"""The SMS gateway of a fault run: it behaves as the government platform promises (a repeated
``Idempotency-Key`` gets the first answer again and no second text) and records every text it
delivered, by key, so the audit can join them to the outbox rows.

Two switches for the faults and the proof:
- ``hold_next()``: the next message is delivered, then the answer is held back for a while (the
  run kills the sender meanwhile: the gateway took the text, the row was never written down);
- ``send_twice``: the first message is delivered twice, as a platform that ignored the key would —
  the audit must then fail."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fault_audit import Delivery

HOLD_S = 20.0


class SmsSink(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, send_twice: bool = False) -> None:
        self.delivered: list[Delivery] = []
        self.repeated_keys = 0  # calls answered from the key's memory: no second text
        self.send_twice = send_twice
        self.holding = threading.Event()  # set: hold the answer of the next message
        self.held = threading.Event()  # set once a message was delivered and its answer held
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _SmsHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sms"

    def hold_next(self) -> None:
        self.held.clear()
        self.holding.set()

    def take(self, key: str | None, phone: str, text: str) -> bool:
        """Deliver unless the key was seen; returns whether to hold the answer back."""
        with self._lock:
            if key is not None and key in self._seen:
                self.repeated_keys += 1
                return False
            if key is not None:
                self._seen.add(key)
            self.delivered.append(Delivery(key, phone, text))
            if self.send_twice and len(self.delivered) == 1:
                self.delivered.append(Delivery(key, phone, text))  # the proof: a text sent twice
            if self.holding.is_set():
                self.holding.clear()
                return True
            return False


class _SmsHandler(BaseHTTPRequestHandler):
    server: SmsSink

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        if self.server.take(self.headers.get("Idempotency-Key"), body["phone"], body["text"]):
            self.server.held.set()
            time.sleep(HOLD_S)  # the sender is killed meanwhile
        try:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"status": "sent"}')
        except OSError:
            pass  # the sender died waiting

    def log_message(self, *args: Any) -> None:
        pass
