"""The SMS gateway interface. ``RUXUE_SMS_URL`` points at the government SMS platform; the sandbox
plays it and keeps what it was sent."""

from ruxue.kit.http import client as http_client


class SmsGateway:
    def __init__(self, url: str) -> None:
        self.url = url

    async def send(self, phone: str, text: str, key: str | None = None) -> None:
        """Send ``text``. With ``key`` (``Idempotency-Key``) the gateway sends a message once
        however often it is asked: the same key must always come with the same message."""
        headers = {"Idempotency-Key": key} if key else {}
        async with http_client(timeout=10) as http:
            response = await http.post(
                self.url, json={"phone": phone, "text": text}, headers=headers
            )
            response.raise_for_status()
