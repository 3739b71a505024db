"""Staff sessions on our database: Litestar's Store interface (Litestar 2 ships only memory, file,
Redis and Valkey stores) on the session_record table, so sessions survive restarts and are shared by
every worker and machine. The web layer's session middleware is given one of these."""

from __future__ import annotations

import datetime as dt

from litestar.stores.base import Store

from dialogue.accounts.tables import SessionRecord
from dialogue.core.clock import Clock, as_utc, utc_now
from dialogue.core.db import write_transaction


class DatabaseStore(Store):
    """Litestar's Store on the session_record table: survives restarts, shared by every worker."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self.clock = clock

    @staticmethod
    def _seconds(value: int | dt.timedelta | None) -> int | None:
        return int(value.total_seconds()) if isinstance(value, dt.timedelta) else value

    async def set(self, key: str, value: str | bytes, expires_in: int | dt.timedelta | None = None) -> None:
        seconds = self._seconds(expires_in)
        expires_at = self.clock() + dt.timedelta(seconds=seconds) if seconds else None
        data = value.encode() if isinstance(value, str) else value
        async with write_transaction():
            await SessionRecord.insert(SessionRecord(key=key, value=data, expires_at=expires_at)).on_conflict(
                target=SessionRecord.key, action="DO UPDATE", values=[SessionRecord.value, SessionRecord.expires_at],
            )

    async def get(self, key: str, renew_for: int | dt.timedelta | None = None) -> bytes | None:
        row = await SessionRecord.select(SessionRecord.value, SessionRecord.expires_at) \
            .where(SessionRecord.key == key).first()
        if row is None:
            return None
        now = self.clock()
        if row["expires_at"] is not None and as_utc(row["expires_at"]) <= now:
            await self.delete(key)
            return None
        seconds = self._seconds(renew_for)
        if seconds:
            await SessionRecord.update({SessionRecord.expires_at: now + dt.timedelta(seconds=seconds)}) \
                .where(SessionRecord.key == key)
        return bytes(row["value"])

    async def delete(self, key: str) -> None:
        await SessionRecord.delete().where(SessionRecord.key == key)

    async def delete_all(self) -> None:
        await SessionRecord.delete(force=True)

    async def delete_expired(self) -> None:
        await SessionRecord.delete().where(SessionRecord.expires_at < self.clock())

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await SessionRecord.select(SessionRecord.expires_at).where(SessionRecord.key == key).first()
        if row is None or row["expires_at"] is None:
            return None
        return int((as_utc(row["expires_at"]) - self.clock()).total_seconds())
