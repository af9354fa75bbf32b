"""The mail with the tickets: a short text in the order's language, the A4 PDF attached
and the link to the tickets (which carries the order's secret, no login needed)."""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
import threading
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formataddr

from ticketing.settings import TicketSettings

SUBJECT = {
    "nl": "Je tickets voor {title} ({code})",
    "fr": "Vos billets pour {title} ({code})",
    "en": "Your tickets for {title} ({code})",
}
BODY = {
    "nl": "Dag {name},\n\nBedankt voor je bestelling {code} bij {house}. Je tickets zitten in "
    "de bijlage; je vindt ze ook hier:\n{link}\n\nToon aan de ingang de QR-code, op papier "
    "of op je telefoon.\n",
    "fr": "Bonjour {name},\n\nMerci pour votre commande {code} chez {house}. Vos billets sont "
    "en pièce jointe ; vous les trouverez aussi ici :\n{link}\n\nPrésentez le code QR à "
    "l'entrée, sur papier ou sur votre téléphone.\n",
    "en": "Hello {name},\n\nThank you for your order {code} at {house}. Your tickets are "
    "attached; you can also find them here:\n{link}\n\nShow the QR code at the door, on "
    "paper or on your phone.\n",
}


def message(
    *,
    settings: TicketSettings,
    to: str,
    name: str,
    language: str,
    code: str,
    title: str,
    house: str,
    link: str,
    pdf: bytes,
    message_id: str,
    receipt: Sequence[str] = (),
) -> EmailMessage:
    language = language if language in SUBJECT else "nl"
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = formataddr((name, to))
    mail["Subject"] = SUBJECT[language].format(title=title, code=code)
    # The same id for every attempt of this mail: a resend after a crash between sending
    # and recording it is recognisable as the same message.
    mail["Message-ID"] = message_id
    body = BODY[language].format(name=name, code=code, house=house, link=link)
    if receipt:
        # The receipt: what was paid per VAT rate, VAT included.
        body += "\n" + "\n".join(receipt) + "\n"
    mail.set_content(body, charset="utf-8")
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{code}.pdf")
    return mail


class _Connection:
    """One SMTP connection per worker process, kept open between mails (a worker sends
    them one after the other) and opened again when the server has closed it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.smtp: smtplib.SMTP | None = None
        self.server: tuple[str, int, str] | None = None

    def _open(self, settings: TicketSettings) -> smtplib.SMTP:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None

    def send(self, settings: TicketSettings, mail: EmailMessage) -> None:
        server = (settings.smtp_host, settings.smtp_port, settings.smtp_user)
        with self.lock:
            if self.server != server:
                self.close()
                self.server = server
            if self.smtp is not None:
                try:
                    self.smtp.send_message(mail)
                    return
                except smtplib.SMTPServerDisconnected:
                    # Closed while idle: nothing was sent on it. Open a new one below.
                    self.smtp = None
            self.smtp = self._open(settings)
            try:
                self.smtp.send_message(mail)
            except BaseException:
                self.close()
                raise


_connection = _Connection()


def _send(settings: TicketSettings, mail: EmailMessage) -> None:
    _connection.send(settings, mail)


async def send(settings: TicketSettings, mail: EmailMessage) -> None:
    await asyncio.to_thread(_send, settings, mail)
