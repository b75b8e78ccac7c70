"""What the case walk reads on its workers, as typed messages: the case's answers (or the user's
own second marks while they mark it blind) and one item's history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from audit_tui.domain.records import AnswerInfo, CaseInfo, OpenAudit
    from audit_tui.store.moderation import Marking
    from audit_tui.store.repository import Repository
    from audit_tui.store.trail import Change


@dataclass
class AnswersRead(Message, bubble=False):
    """The case's answers (the user's own second marks while they mark it blind), their marking
    of it, and their second marks beside the first once it is marked complete."""

    answers: dict[str, AnswerInfo]
    mark: Marking | None = None
    seconds: dict[str, AnswerInfo] | None = None

    @classmethod
    def read(cls, repo: Repository, audit: OpenAudit, case: CaseInfo, first: bool) -> AnswersRead:
        """On a worker thread; the `first` read of a case is logged as consulting it."""
        from audit_tui.store import answers as answer_ops
        from audit_tui.store import events
        from audit_tui.store.moderation import marking
        from audit_tui.store.second_marks import second_answers

        if first:  # consulting case data is logged (who, when), before it is shown
            events.record_access(repo, audit, "open-case", case.case_ref)
        mark = marking(repo, audit, case.id)
        seconds: dict[str, AnswerInfo] | None = None
        if mark is not None and not mark.completed:  # blind: their own marks, never the first
            answers = second_answers(repo, mark)
        else:
            if mark is not None:  # marked complete: the first marks and theirs, side by side
                seconds = second_answers(repo, mark)
            answers = answer_ops.answers_for_case(repo, case.id)
        return cls(answers, mark, seconds)


@dataclass
class AnswersUnread(Message, bubble=False):
    """The case's answers could not be read (`error` says why)."""

    error: Exception


@dataclass
class ItemHistoryRead(Message, bubble=False):
    """Every change to one item's answer in this case."""

    item_id: str
    found: list[Change]

    @classmethod
    def read(
        cls,
        repo: Repository,
        audit: OpenAudit,
        marking: Marking | None,
        case_ref: str,
        item_id: str,
    ) -> ItemHistoryRead:
        """On a worker thread: the audit's trail, or the user's second marks while they mark
        the case blind (`marking`)."""
        from audit_tui.store import trail

        if marking is not None:
            from audit_tui.store.second_marks import second_history

            found = second_history(repo, marking, case_ref, item_id)
        else:
            found = trail.changes(repo, audit, case=case_ref, item=item_id)
        return cls(item_id, found)
