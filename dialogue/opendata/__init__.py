"""Open data: the public record (conferences, public questions, published answers, commitments,
agencies and their figures) as typed records for the JSON API and the Open311 view. What the
public may see is decided where the pages decide it; this package only shapes it."""
