"""The conference's official documents: the minutes (biên bản) and the conclusions notice (thông
báo kết luận), drafted from what the session recorded, edited by the organisers, then published
and frozen."""
