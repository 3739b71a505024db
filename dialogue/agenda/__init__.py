"""The conference day: the agenda built from accepted questions, and the live console on which the
secretary records what happens (current item, outcomes, commitments, floor questions, attendance)."""
