"""Email notifications through an SMTP relay, sent only after the transaction commits.

With no relay configured (`GCMHUB_SMTP_HOST` empty) people see their notices in the
application only. A relay that fails is logged; the notices stay in the application, so a
mail outage never loses or undoes a change.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage

from gcmhub.settings import get_settings

log = logging.getLogger(__name__)


def mail_compose(to: str, subject: str, body: str) -> EmailMessage:
    """Return a plain-text message from the configured sender."""
    message = EmailMessage()
    message["From"] = get_settings().mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def mail_send(messages: Sequence[EmailMessage]) -> int:
    """Send messages through the relay; return how many left (0 without a relay)."""
    settings = get_settings()
    if not settings.smtp_host or not messages:
        return 0
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as relay:
            if settings.smtp_starttls:
                relay.starttls()
            if settings.smtp_user:
                relay.login(settings.smtp_user, settings.smtp_password)
            for message in messages:
                relay.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail relay %s failed: %s", settings.smtp_host, error)
        return 0
    log.info("mail sent", extra={"count": len(messages)})
    return len(messages)
