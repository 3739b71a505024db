"""The asker's rights over their personal data (Law 91/2025/QH15, Decree 356/2025/NĐ-CP): their
requests with legal deadlines, the data-protection officer's queue, the record of staff who read
askers' contact details, and the retention rule."""
