"""Fee waivers and reductions per service: how many the counter asked for in the period (by when it
asked), how the chief decided them, and how much of the official fee the approved ones forgave."""
from dataclasses import asdict, dataclass

from sqlalchemy import case, func, select

from ..cases.models import Case
from ..extensions import db
from ..payments.models import FeeWaiver
from ..processes.models import ProcessDefinition
from .service_standards import Period


@dataclass
class WaiverRow:
    service: str
    asked: int
    approved: int
    refused: int
    waiting: int
    riel_forgiven: int  # official fee minus what the approved waivers let the applicant pay

    def as_dict(self) -> dict:
        return asdict(self)


def waivers(period: Period, offices: list[int] | None, process: str | None = None) -> list[WaiverRow]:
    def counted(status):
        return func.sum(case((FeeWaiver.status == status, 1), else_=0))
    query = (select(ProcessDefinition.key, func.count(), counted("approved"), counted("refused"), counted("requested"),
                    func.sum(case((FeeWaiver.status == "approved", FeeWaiver.fee_due_riel - FeeWaiver.amount_riel),
                                  else_=0)))
             .join(Case, Case.id == FeeWaiver.case_id).join(ProcessDefinition, ProcessDefinition.id ==
                                                             Case.process_definition_id)
             .where(FeeWaiver.requested_at >= period.start, FeeWaiver.requested_at < period.end)
             .group_by(ProcessDefinition.key).order_by(ProcessDefinition.key))
    if offices is not None:
        query = query.where(FeeWaiver.office_id.in_(offices))
    if process:
        query = query.where(ProcessDefinition.key == process)
    return [WaiverRow(key, asked, int(approved), int(refused), int(waiting), int(forgiven))
            for key, asked, approved, refused, waiting, forgiven in db.session.execute(query)]
