"""A bounded shutdown: SIGTERM while the e-mail worker is waiting on a slow mail server ends the
process within the grace period, and the message it held is given back, not lost or left claimed."""

import asyncio
import datetime as dt
import threading
import time

from aiosmtpd.controller import Controller

from dialogue.mail.tables import OutboxMessage
from tests.live import LiveServer, free_port

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)


class StuckRelay:
    """A relay that takes the message and then does not answer for a minute."""

    def __init__(self) -> None:
        self.receiving = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.receiving.set()
        await asyncio.sleep(60)
        return "250 OK"


async def test_sigterm_with_a_send_stuck_on_a_slow_relay_exits_within_the_grace_period(db):
    await OutboxMessage.insert(*[OutboxMessage(
        message_id=f"<shutdown-{n}@dialogue.test>", to_address=f"nguoidan{n}@example.vn", subject="Thử",
        text_body="Nội dung", html_body="<p>Nội dung</p>", headers="{}", kind="test", created_at=NOW,
        next_attempt_at=NOW - dt.timedelta(minutes=1)) for n in range(3)])
    relay = StuckRelay()
    port = free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    server = LiveServer(db.database_url, SMTP_URL=f"smtp://127.0.0.1:{port}", OUTBOX_POLL_SECONDS="1",
                        SHUTDOWN_GRACE_SECONDS="2")
    try:
        server.start()
        assert await asyncio.to_thread(relay.receiving.wait, 20), "the worker never reached the relay"
        started = time.monotonic()
        server.process.terminate()
        await asyncio.to_thread(server.process.wait, 20)
        took = time.monotonic() - started
    finally:
        server.stop()
        controller.stop()
    assert took < 10, f"the process took {took:.1f} s to exit"
    rows = await OutboxMessage.select().order_by(OutboxMessage.id)
    assert [row["sent_at"] for row in rows] == [None, None, None]
    assert all(row["claimed_until"] is None for row in rows)  # given back: the next worker takes it at once


async def test_a_worker_killed_while_sending_lets_go_of_its_message_within_a_minute(db):
    from dialogue.mail import outbox

    await OutboxMessage.insert(OutboxMessage(
        message_id="<killed@dialogue.test>", to_address="nguoidan@example.vn", subject="Thử", text_body="Nội dung",
        html_body="<p>Nội dung</p>", headers="{}", kind="test", created_at=NOW,
        next_attempt_at=NOW - dt.timedelta(minutes=1)))
    relay = StuckRelay()
    port = free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    server = LiveServer(db.database_url, SMTP_URL=f"smtp://127.0.0.1:{port}", OUTBOX_POLL_SECONDS="1")
    try:
        server.start()
        assert await asyncio.to_thread(relay.receiving.wait, 20)
        server.process.kill()  # kill -9: no shutdown, the claim stays behind
        await asyncio.to_thread(server.process.wait, 10)
    finally:
        server.stop()
        controller.stop()
    row = await OutboxMessage.select().first()
    assert row["sent_at"] is None and row["claimed_by"]
    held_for = row["claimed_until"] - NOW
    assert held_for <= dt.timedelta(minutes=1, seconds=30)  # the lease, renewed at most once or twice
    sent = []

    async def send(message: dict) -> None:
        sent.append(message["message_id"])

    assert await outbox.drain(send, row["claimed_until"] - dt.timedelta(seconds=1)) == {"sent": 0, "failed": 0}
    assert await outbox.drain(send, row["claimed_until"] + dt.timedelta(seconds=1)) == {"sent": 1, "failed": 0}
    assert sent == ["<killed@dialogue.test>"]
