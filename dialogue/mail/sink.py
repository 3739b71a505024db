"""A local stand-in for the phone providers: a real HTTP server on loopback that answers as a brandname
SMS gateway (POST /sms) and as Zalo's ZNS (POST /zns), takes each message once by its idempotency key,
and keeps what it took (GET /messages lists it as JSON).

`python -m dialogue serve` starts one when SMS_URL and ZALO_URL are not set, as it starts the SMTP sink:
nothing reaches a phone, and organisers read the messages at /organiser/mail. The tests drive the same
server to be slow (`delay`), to refuse (`refusal`), to rate limit (`rate_limit()`), and to be down
(`stop()`, then `start()` on the same port).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import threading
import uuid
from dataclasses import dataclass, field

log = logging.getLogger("dialogue.mail.sink")
MAX_BODY = 64 * 1024
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 413: "Payload Too Large", 429: "Too Many Requests"}
PHONE = re.compile(r"^84[0-9]{9,10}$")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Taken:
    """A message the sink took: what it was given, and the id it answered with."""

    channel: str  # sms or zalo
    phone: str
    request_id: str
    idempotency_key: str
    msg_id: str
    text: str = ""  # SMS
    brandname: str = ""  # SMS
    template_id: str = ""  # ZNS
    template_data: dict = field(default_factory=dict)  # ZNS


class ProviderSink:
    """Both providers on one port. Thread-safe enough for its uses: the tests set its attributes from
    another thread between sends."""

    def __init__(self, port: int = 0, api_key: str = "local-sink", access_token: str = "local-sink") -> None:
        self.port = port or free_port()
        self.api_key = api_key
        self.access_token = access_token
        self.delay = 0.0  # seconds before answering (the message is taken first, as a slow provider would)
        self.refusal: tuple[str, str] | None = None  # (code, message): refuse every message
        self.taken: list[Taken] = []
        self.requests: list[Request] = []  # every request, repeats and refusals included
        self._limited: list[float] = []  # Retry-After of each next request to refuse with 429
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def sms_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms"

    @property
    def zalo_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/zns"

    def rate_limit(self, retry_after: float, times: int = 1) -> None:
        """Answer the next `times` requests with 429 and this Retry-After (seconds)."""
        self._limited.extend([retry_after] * times)

    # --- Running ---------------------------------------------------------------------------------

    def start(self) -> ProviderSink:
        """Listen on the port in a thread of its own; returns once it listens."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True))
            except BaseException as error:
                failure.append(error)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            self._server.close()
            pending = asyncio.all_tasks(loop)  # answers still under way (a slow one): dropped, as by a crash
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name=f"provider-sink-{self.port}", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stop listening: a send now finds the connection refused, as with a provider that is down."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = self._server = self._thread = None

    # --- HTTP ------------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One request per connection (the answer says Connection: close)."""
        try:
            request = await self._read(reader)
            if request is None:
                return
            status, headers, answer = await self._answer(request)
            body = json.dumps(answer, ensure_ascii=False).encode()
            head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}",
                    "Content-Type: application/json; charset=utf-8",
                    f"Content-Length: {len(body)}", "Connection: close",
                    *(f"{name}: {value}" for name, value in headers.items())]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client gave up (a timeout): nothing to answer
        finally:
            writer.close()

    @staticmethod
    async def _read(reader: asyncio.StreamReader) -> Request | None:
        line = (await reader.readline()).decode("latin-1").split()
        if len(line) < 2:
            return None
        headers: dict[str, str] = {}
        while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        body = await reader.readexactly(length) if 0 < length <= MAX_BODY else b""
        return Request(line[0], line[1], headers, body)

    async def _answer(self, request: Request) -> tuple[int, dict[str, str], object]:
        if request.method == "GET" and request.path == "/messages":
            return 200, {}, [vars(taken) for taken in self.taken]
        if request.method != "POST" or request.path not in ("/sms", "/zns"):
            return 404, {}, {"message": "Not found"}
        self.requests.append(request)
        if self._limited:
            return 429, {"Retry-After": f"{self._limited.pop(0):g}"}, {"message": "Too many requests"}
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return 400, {}, {"message": "The body must be a JSON object"}
        status, answer = self._sms(request, body) if request.path == "/sms" else self._zns(request, body)
        if self.delay:
            await asyncio.sleep(self.delay)
        return status, {}, answer

    def _again(self, channel: str, key: str) -> Taken | None:
        return next((t for t in self.taken if t.channel == channel and t.request_id == key), None)

    def _sms(self, request: Request, body: dict) -> tuple[int, dict]:
        """A brandname gateway: code "00" and msg_id when taken; its own codes otherwise."""
        if body.get("api_key") != self.api_key:
            return 200, {"code": "01", "message": "Invalid API key"}
        if self.refusal:
            return 200, {"code": self.refusal[0], "message": self.refusal[1]}
        phone, text, request_id = str(body.get("phone", "")), str(body.get("text", "")), str(body.get("request_id", ""))
        if not PHONE.match(phone):
            return 200, {"code": "03", "message": "Invalid phone number"}
        if not text or not request_id or not body.get("brandname"):
            return 200, {"code": "02", "message": "Missing text, brandname or request_id"}
        if not text.isascii():
            return 200, {"code": "04", "message": "Text must be without diacritics (unicode: 0)"}
        taken = self._again("sms", request_id)
        if taken is None:
            taken = Taken("sms", phone, request_id, request.headers.get("idempotency-key", ""), uuid.uuid4().hex,
                          text=text, brandname=str(body["brandname"]))
            self.taken.append(taken)
            log.info("Local provider sink: SMS to %s from %s (%s characters)", phone, taken.brandname, len(text))
        return 200, {"code": "00", "message": "Success", "msg_id": taken.msg_id}

    def _zns(self, request: Request, body: dict) -> tuple[int, dict]:
        """Zalo's ZNS: {"error": 0, "data": {"msg_id": …}} when taken; a negative error otherwise."""
        if request.headers.get("access_token") != self.access_token:
            return 200, {"error": -124, "message": "Access token is invalid"}
        if self.refusal:
            return 200, {"error": int(self.refusal[0]) if self.refusal[0].lstrip("-").isdigit() else -1,
                         "message": self.refusal[1]}
        phone, tracking_id = str(body.get("phone", "")), str(body.get("tracking_id", ""))
        if not PHONE.match(phone):
            return 200, {"error": -108, "message": "Phone number is invalid"}
        if not body.get("template_id") or not isinstance(body.get("template_data"), dict):
            return 200, {"error": -1124, "message": "Template id or template data is missing"}
        taken = self._again("zalo", tracking_id) if tracking_id else None
        if taken is None:
            taken = Taken("zalo", phone, tracking_id, request.headers.get("idempotency-key", ""), uuid.uuid4().hex,
                          template_id=str(body["template_id"]), template_data=body["template_data"])
            self.taken.append(taken)
            log.info("Local provider sink: Zalo message to %s (template %s)", phone, taken.template_id)
        return 200, {"error": 0, "message": "Success", "data": {"msg_id": taken.msg_id, "sent_time": ""}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
