"""The SMS gateway interface. ``RUXUE_SMS_URL`` points at the government SMS platform; the sandbox
plays it and keeps what it was sent."""

from ruxue.kit.http import client as http_client
from ruxue.reference.sites import CITY_SITE, site_of
from ruxue.settings import Settings


class SmsGateway:
    """``signature``: the sender's name registered with the SMS platform, put before every text
    as 【…】 (the city's or, on a county system, the district's: ``reference.sites.Site.sms_signature``)."""

    def __init__(self, url: str, signature: str = CITY_SITE.sms_signature) -> None:
        self.url = url
        self.signature = signature

    async def send(self, phone: str, text: str, key: str | None = None) -> None:
        """Send ``text``. With ``key`` (``Idempotency-Key``) the gateway sends a message once
        however often it is asked: the same key must always come with the same message."""
        headers = {"Idempotency-Key": key} if key else {}
        async with http_client(timeout=10) as http:
            response = await http.post(
                self.url,
                json={"phone": phone, "text": f"【{self.signature}】{text}"},
                headers=headers,
            )
            response.raise_for_status()


def gateway_of(settings: Settings) -> SmsGateway:
    return SmsGateway(settings.sms_url, site_of(settings).sms_signature)
