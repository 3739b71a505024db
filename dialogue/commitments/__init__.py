"""Commitments made at a conference: what will be done, by which agency, by when. Recorded here
during the session; their life after it (progress, reports, verification) is the follow-up's."""
