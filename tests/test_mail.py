"""E-mail through a real SMTP server (aiosmtpd on loopback): delivery, retries, and exclusive claims."""

import asyncio
import datetime as dt
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from dialogue.conferences.tables import Conference
from dialogue.mail import outbox
from dialogue.mail.sender import smtp_sender
from dialogue.mail.tables import OutboxMessage

NOW = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)
FROM = "Đối thoại phường Đống Đa <no-reply@dongda.example.vn>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)

    def start(self) -> "SmtpServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp():
    server = SmtpServer(free_port()).start()
    yield server
    server.stop()


async def queue(n: int = 1, subject: str = "Câu hỏi của bạn đã được tiếp nhận: ĐỐNG-ĐA") -> None:
    from dialogue.conferences.queries import get_conference

    conference = await get_conference((await Conference.select(Conference.id).first())["id"])
    for i in range(n):
        await outbox.enqueue(
            to=f"nguoi.dan{i}@example.vn", template="follow_confirm", language_code="vi",
            subject=lambda: subject, kind="test", now=NOW, unit_id=conference["unit"],
            question={"tracking_code": "K84GGMBSFZKPB", "title": "Ngập úng"}, conference=conference,
            code="K84G-GMBS-FZKPB", tracking_url="https://x/q/1", confirm_url="https://x/c",
            unsubscribe_url="https://x/u",
        )


async def test_a_message_arrives_with_its_vietnamese_subject_and_both_parts(demo_db, smtp):
    await queue()
    counts = await outbox.drain(smtp_sender(f"smtp://127.0.0.1:{smtp.port}", FROM), NOW)
    assert counts == {"sent": 1, "failed": 0}
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Câu hỏi của bạn đã được tiếp nhận: ĐỐNG-ĐA"
    assert message["From"] == FROM and message["To"] == "nguoi.dan0@example.vn"
    row = await OutboxMessage.select().first()
    assert message["Message-ID"] == row["message_id"] and row["sent_at"] is not None and row["attempts"] == 1
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "https://x/c" in text and 'href="https://x/c"' in html and "Xin chào" in text
    # Sent is sent: draining again sends nothing.
    assert await outbox.drain(smtp_sender(f"smtp://127.0.0.1:{smtp.port}", FROM), NOW) == {"sent": 0, "failed": 0}


async def test_with_the_server_down_mail_waits_and_goes_when_it_is_back(demo_db):
    port = free_port()
    send = smtp_sender(f"smtp://127.0.0.1:{port}", FROM, timeout=5)
    await queue()
    assert await outbox.drain(send, NOW) == {"sent": 0, "failed": 1}
    row = await OutboxMessage.select().first()
    assert row["sent_at"] is None and row["attempts"] == 1 and row["last_error"]
    assert row["claimed_until"] is None
    # Not retried before its back-off…
    assert await outbox.drain(send, NOW + dt.timedelta(seconds=30)) == {"sent": 0, "failed": 0}
    server = SmtpServer(port).start()
    try:
        counts = await outbox.drain(send, NOW + dt.timedelta(minutes=1))
    finally:
        server.stop()
    assert counts == {"sent": 1, "failed": 0}
    assert len(server.inbox.messages) == 1
    assert server.inbox.messages[0]["Message-ID"] == row["message_id"]  # the same message, not a new one


async def test_a_worker_that_died_mid_send_is_taken_over_after_its_lease(demo_db, smtp):
    await queue()
    claimed = await outbox.claim("worker-that-dies", NOW)
    assert len(claimed) == 1
    send = smtp_sender(f"smtp://127.0.0.1:{smtp.port}", FROM)
    assert await outbox.drain(send, NOW + outbox.LEASE / 2) == {"sent": 0, "failed": 0}
    assert dt.timedelta(minutes=1) >= outbox.LEASE  # a dead worker's messages wait a minute at most
    assert await outbox.drain(send, NOW + outbox.LEASE + dt.timedelta(seconds=1)) == {"sent": 1, "failed": 0}


async def test_two_workers_never_claim_the_same_message(demo_db, smtp):
    await queue(30)
    delivered: list[str] = []
    real_send = smtp_sender(f"smtp://127.0.0.1:{smtp.port}", FROM)

    async def send(row: dict) -> None:
        delivered.append(row["message_id"])
        await asyncio.sleep(0)  # let the other worker run between claims
        await real_send(row)

    first, second = await asyncio.gather(
        outbox.drain(send, NOW, worker="a", limit=30), outbox.drain(send, NOW, worker="b", limit=30))
    assert first["sent"] + second["sent"] == 30
    assert len(delivered) == len(set(delivered)) == 30
    assert len(smtp.inbox.messages) == 30


async def test_starttls_and_credentials_are_read_from_the_url():
    # Only the parsing: no TLS server here. A wrong scheme is refused by the settings.
    from dialogue.core.settings import SettingsError, load_settings

    with pytest.raises(SettingsError):
        load_settings({"SMTP_URL": "mailto:x"})
    assert load_settings({"SMTP_URL": "smtp+starttls://u%40x:p@mail.example.vn:587"}).smtp_url.startswith("smtp+starttls")


async def test_staff_read_the_mail_with_its_secret_links_masked_residents_receive_them(demo_client, clock, smtp):
    """An organiser must not be able to withdraw a resident's question (or follow and unsubscribe for them)
    with the links in the sent-mail viewer; the e-mail itself still carries them."""
    import re

    from dialogue.questions.tables import Follower
    from tests.conftest import DEMO_ACCOUNTS, post_form, sign_in
    from tests.test_web_questions import submit

    response = await submit(demo_client)
    code, manage_token = re.search(r'/q/([0-9A-Z-]+)/manage/([A-Za-z0-9_-]+)"', response.text).groups()
    await post_form(demo_client, f"/q/{code}/follow", {"follow_email": "lan@example.vn"}, page=f"/q/{code}")
    follow_token = (await Follower.select(Follower.token).first())["token"]
    assert (await demo_client.get(f"/follow/{follow_token}/confirm")).status_code == 200
    manage = f"/q/{code}/manage/{manage_token}"
    withdrawn = await post_form(demo_client, f"{manage}/withdraw", {"reason": "Đã xong"}, page=manage)
    assert withdrawn.status_code == 200  # the asker and the follower are told, the follower with a way out
    secrets_ = (manage_token, follow_token)

    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    listing = await demo_client.get("/organiser/mail")
    ids = [row["id"] for row in await OutboxMessage.select(OutboxMessage.id)]
    assert len(ids) == 4  # received, follow confirmation, withdrawn (asker), withdrawn (follower)
    pages = [listing.text] + [(await demo_client.get(f"/organiser/mail/{i}")).text for i in ids]
    for page in pages:
        assert not any(secret in page for secret in secrets_)
    shown = "\n".join(pages)
    assert f"/q/{code}/manage/•••" in shown and "/follow/•••/confirm" in shown and "/follow/•••/unsubscribe" in shown

    assert await outbox.drain(smtp_sender(f"smtp://127.0.0.1:{smtp.port}", FROM), clock()) == {"sent": 4, "failed": 0}
    delivered = "\n".join(m.get_body(("plain",)).get_content() + m.get_body(("html",)).get_content()
                          + str(m.get("List-Unsubscribe", "")) for m in smtp.inbox.messages)
    assert f"/q/{code}/manage/{manage_token}" in delivered
    assert f"/follow/{follow_token}/confirm" in delivered and f"/follow/{follow_token}/unsubscribe" in delivered
    # once sent, the stored copies are masked too: a backup of the database holds no working link
    stored = "\n".join(str(row) for row in await OutboxMessage.select())
    assert not any(secret in stored for secret in secrets_) and f"/q/{code}/manage/•••" in stored


class SlowInbox(Inbox):
    """A relay that takes its time to accept each message."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


async def test_a_slow_mail_server_and_two_workers_send_every_message_once(demo_db):
    # Each send takes longer than the whole lease: only the renewal keeps the second worker away.
    await queue(4)
    lease = dt.timedelta(seconds=1.2)
    server = SmtpServer(free_port())
    server.inbox = SlowInbox(2.0)
    server.controller = Controller(server.inbox, hostname="127.0.0.1", port=server.port)
    server.start()
    try:
        send = smtp_sender(f"smtp://127.0.0.1:{server.port}", FROM, timeout=10)
        first, second = await asyncio.gather(
            outbox.drain(send, NOW, worker="a", lease=lease), outbox.drain(send, NOW, worker="b", lease=lease))
    finally:
        server.stop()
    assert first["sent"] + second["sent"] == 4 and first["failed"] + second["failed"] == 0
    ids = [m["Message-ID"] for m in server.inbox.messages]
    assert len(ids) == len(set(ids)) == 4
    assert await OutboxMessage.count().where(OutboxMessage.sent_at.is_null()) == 0


async def test_a_worker_stopped_in_the_middle_of_a_send_gives_the_message_back_at_once(demo_db):
    await queue(2)
    server = SmtpServer(free_port())
    server.inbox = SlowInbox(5.0)
    server.controller = Controller(server.inbox, hostname="127.0.0.1", port=server.port)
    server.start()
    try:
        send = smtp_sender(f"smtp://127.0.0.1:{server.port}", FROM, timeout=10)
        worker = asyncio.create_task(outbox.drain(send, NOW, worker="stopping"))
        await asyncio.sleep(0.5)
        worker.cancel()  # what the app's shutdown does once its grace period is over
        with pytest.raises(asyncio.CancelledError):
            await worker
    finally:
        server.stop()
    rows = await OutboxMessage.select().order_by(OutboxMessage.id)
    assert all(row["sent_at"] is None and row["claimed_until"] is None for row in rows)
    # …so another worker takes it at once, not a lease later.
    assert len(await outbox.claim("next", NOW + dt.timedelta(seconds=1))) == 2


async def test_a_stopping_worker_makes_no_new_claim(demo_db, smtp):
    await queue(3)
    sent = []

    async def send(row: dict) -> None:
        sent.append(row["id"])

    counts = await outbox.drain(send, NOW, stopping=lambda: len(sent) >= 1)
    assert counts == {"sent": 1, "failed": 0}
    assert await OutboxMessage.count().where(OutboxMessage.claimed_by != "") == 1  # only the one it sent


class DroppingInbox(Inbox):
    """A relay that hangs up after the message's DATA, without answering, the first time it sees
    each message: it did not accept it, so it must come again, and then only once."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped: set[str] = set()

    async def handle_DATA(self, server, session, envelope):
        message_id = email.message_from_bytes(envelope.content, policy=email.policy.default)["Message-ID"]
        if message_id not in self.dropped:
            self.dropped.add(message_id)
            server.transport.close()
            return "421 closing"  # never reaches the client: the connection is gone
        return await super().handle_DATA(server, session, envelope)


async def test_a_relay_that_hangs_up_after_data_gets_every_message_once_in_the_end(demo_db):
    await queue(3)
    server = SmtpServer(free_port())
    server.inbox = DroppingInbox()
    server.controller = Controller(server.inbox, hostname="127.0.0.1", port=server.port)
    server.start()
    try:
        send = smtp_sender(f"smtp://127.0.0.1:{server.port}", FROM, timeout=5)
        first = await outbox.drain(send, NOW)
        again = await outbox.drain(send, NOW + dt.timedelta(minutes=1))
    finally:
        server.stop()
    assert first == {"sent": 0, "failed": 3} and again == {"sent": 3, "failed": 0}
    ids = [m["Message-ID"] for m in server.inbox.messages]
    assert len(ids) == len(set(ids)) == 3
