"""What the departments' records say about a guardianship request, for the reviewer to check the
applicant's claim against: who the police and the birth certificate name as the parents, and
whether and how the applicant stands in the child's hukou booklet. Pure; ID numbers masked."""

from ruxue.exchange.records import BirthCertificate, Booklet, Person
from ruxue.person.rules import mask_id_number


def _masked(id_number: str | None) -> str:
    return mask_id_number(id_number) if id_number else ""


def _relation(booklet: Booklet, id_number: str) -> str:
    return next((m.relation for m in booklet.members if m.id_number == id_number), "")


def on_record(
    applicant_id: str, child: Person, booklet: Booklet, birth: BirthCertificate | None
) -> dict[str, object]:
    """The summary kept with the request (an event's detail) and shown to its reviewer."""
    return {
        "police_father": _masked(child.father_id_number),
        "police_mother": _masked(child.mother_id_number),
        "birth_found": birth is not None,
        "birth_father": _masked(birth.father_id_number) if birth else "",
        "birth_mother": _masked(birth.mother_id_number) if birth else "",
        "child_relation": _relation(booklet, child.id_number),
        "applicant_relation": _relation(booklet, applicant_id),
        "head": _masked(next((m.id_number for m in booklet.members if m.relation == "户主"), "")),
    }


def lines(summary: dict[str, object]) -> list[tuple[str, str]]:
    """The summary in the reviewer's words."""
    if not summary:
        return [("部门信息", "提交时未留存（早于本功能的申请），请在审核系统中另行查询。")]
    parents = (
        f"父 {summary['police_father'] or '未登记'}，母 {summary['police_mother'] or '未登记'}"
    )
    birth = "未查到出生医学证明"
    if summary["birth_found"]:
        birth = (
            f"父 {summary['birth_father'] or '未登记'}，母 {summary['birth_mother'] or '未登记'}"
        )
    if summary["applicant_relation"]:
        booklet = (
            f"申请人与学生同一户口簿：申请人为“{summary['applicant_relation']}”，"
            f"学生为“{summary['child_relation']}”（户主 {summary['head'] or '未登记'}）"
        )
    else:
        booklet = f"申请人不在学生的户口簿上；学生为“{summary['child_relation']}”（户主 {summary['head'] or '未登记'}）"
    return [("公安户籍登记的父母", parents), ("出生医学证明", birth), ("户口簿", booklet)]
