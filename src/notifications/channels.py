"""Delivery channels beyond the in-app row: e-mail through Django's mail backend,
and SMS through a gateway interface (the logging gateway stands in until a bureau
connects its provider via SMS_GATEWAY)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger("notifications.sms")


class SmsGateway:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError  # an interface: subclasses deliver


class LoggingSmsGateway(SmsGateway):
    """Writes the message to the log instead of sending it."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


def sms_gateway() -> SmsGateway:
    return import_string(settings.SMS_GATEWAY)()


def send_email(notification) -> bool:
    address = notification.recipient.email
    if not address:
        return False
    send_mail(notification.title, f"{notification.body}\n\n{notification.link}".strip(),
              settings.DEFAULT_FROM_EMAIL, [address])
    return True


def send_sms(notification) -> bool:
    phone = notification.recipient.phone
    if not phone:
        return False
    sms_gateway().send(phone, notification.title)
    return True
