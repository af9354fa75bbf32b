"""The worker's SMTP connection: kept between mails, opened again when the server closed it."""

from __future__ import annotations

from email.message import EmailMessage

from aiosmtpd.controller import Controller
from fixtures.tickets_support import Inbox, free_port

from ticketing.settings import TicketSettings
from ticketing.tickets import mail


def _mail(settings: TicketSettings, n: int) -> EmailMessage:
    return mail.message(
        settings=settings,
        to="an@example.be",
        name="An",
        language="en",
        code=f"TST-{n}",
        title="Show",
        house="House",
        link="http://tickets.test/x",
        pdf=b"%PDF-1.4",
        message_id=f"<m{n}@podium>",
    )


async def test_a_closed_connection_is_opened_again() -> None:
    port = free_port()
    settings = TicketSettings(smtp_host="127.0.0.1", smtp_port=port)
    first, second = Inbox(), Inbox()
    server = Controller(first, hostname="127.0.0.1", port=port)
    server.start()
    await mail.send(settings, _mail(settings, 1))
    await mail.send(settings, _mail(settings, 2))  # on the same connection
    server.stop()  # the server goes away, and the kept connection with it
    server = Controller(second, hostname="127.0.0.1", port=port)
    server.start()
    try:
        await mail.send(settings, _mail(settings, 3))
    finally:
        server.stop()
    assert [m["Subject"] for m in first.messages] == [
        "Your tickets for Show (TST-1)",
        "Your tickets for Show (TST-2)",
    ]
    assert [m["Message-ID"] for m in second.messages] == ["<m3@podium>"]
