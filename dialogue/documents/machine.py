"""A document's life, declared once.

(draft) ── publish ──► published            the number is given and the renderings are frozen
published ── correct ──► published           the published version stays as it is; a new draft
                                             version (edition + 1) is made that says what it replaces
"""

from __future__ import annotations

from dialogue.core.vocabulary import N_, declare
from dialogue.documents.tables import ConferenceDocument
from dialogue.machine.transitions import Action, StateMachine

S = ConferenceDocument.State
K = ConferenceDocument.Kind

DOCUMENT = StateMachine(
    entity="document",
    table=ConferenceDocument,
    log_prefix="document_",
    states={S.draft.value: N_("Draft, not issued"), S.published.value: N_("Issued")},
    actions=StateMachine.define(
        Action("publish", frozenset({S.draft.value}), S.published.value, N_("published the document")),
        # The published version does not change: the correction is a new draft that replaces it once published.
        Action("correct", frozenset({S.published.value}), S.published.value, N_("began a correction of the document")),
    ),
    sets={
        "editable": frozenset({S.draft.value}),
        "public": frozenset({S.published.value}),
    },
)

declare("document_kind", {K.minutes.value: N_("Minutes of the conference"),
                          K.notice.value: N_("Notice of the chair's conclusions")})
