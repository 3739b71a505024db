"""E-mail: the outbox (enqueue in the caller's transaction) and the sender (aiosmtplib)."""
