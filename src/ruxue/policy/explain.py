"""Plain-Chinese words for decisions, reasons and missing materials (tell-once)."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from ruxue.cases.status import Action, Status

if TYPE_CHECKING:
    from ruxue.policy.loader import Policy
    from ruxue.policy.rules import Decision

OUTCOMES: dict[str, str] = {
    Status.NOTICE_ISSUED: "符合入学条件，已发放公办地段学位告知书",
    Status.NEEDS_MATERIALS: "需要补充材料",
    Status.MANUAL_REVIEW: "转区教育局人工审核",
    Status.REJECTED: "不符合本次报名条件",
    Status.QUALIFIED: "资格审核通过，待区教育局统一安排学位",
}

REASONS = {
    "AGE_OUT_OF_RANGE": "儿童出生日期不在{born_from}至{born_to}之间，不符合本年度一年级入学年龄。",
    "XUEJI_EXISTS": "省学籍系统显示该儿童已建立小学学籍，不能重复报名一年级。",
    "NOT_GRADUATING_THIS_YEAR": "省学籍系统中没有该学生{year}年小学毕业的记录。",
    "GUARDIANSHIP_UNVERIFIED": "户籍信息和出生医学证明均不能证明申请人是儿童的父亲或母亲，需人工核实监护关系。",
    "SINGLE_PARENT_CONTESTED": "申请人按单亲家庭办理，但婚姻登记记录显示其与儿童的另一方父母为已婚状态，需人工核实（申请人认为记录有误的，请上传相关材料）。",
    "SMALL_AREA_NOT_UNIQUE": "所选房产人均建筑面积不足{threshold:g}平方米，且家庭名下住宅不止一套，该房产不能作为入学依据，按无房情形办理。",
    "NO_CATCHMENT": "房产和户籍地址均不在任何学校的施教区内，由区教育局统筹安排学位。",
    "DATA_SOURCE_UNAVAILABLE": "部分部门数据暂时无法获取，已转人工审核，办件不会丢失。",
    "UPLOADED_MATERIALS": "您上传的证明材料需由工作人员核验。",
    "REVIEW_APPROVED": "经区教育局审核通过。",
    "REVIEW_REJECTED": "经区教育局审核，不予通过。",
    "NOTICE_REVOKED": "学位告知书已撤销，办件转区教育局重新审核。",
    "SEAT_LOCKED": "所选房产近年已为其他家庭的子女提供过同学段学位（一房一学位），本次报名按未使用该房产办理。",
    "PROPERTY_IN_USE": "所选房产本年度已被其他家庭的子女用于同学段报名（一房一学位），转区教育局人工核实。",
}

GUARDIANSHIP_BASES = {
    "court_order": "法院判决或裁定指定监护",
    "parents_deceased": "父母双亡",
    "parents_incapable": "父母均无监护能力",
    "entrusted": "父母委托（父母健在，由一方本人授权）",
}

CATEGORIES = {
    "A": "A类（房产与户籍均在施教区内）",
    "B": "B类（房产在施教区内，户籍不在）",
    "C": "C类（无符合条件的房产，户籍在施教区内）",
    "D": "D类（新市民子女，凭居住证积分入学）",
}

REVIEW_WHY = "区教育局审核时需要核对这份材料，具体原因见区教育局的说明。"
REVIEW_HOW = "可上传原件的照片或扫描件（PDF、JPG、PNG），或携带原件到学校现场核验。"
MATERIALS = {
    "BIRTH_CERTIFICATE": {
        "name": "出生医学证明",
        "why": "学生与父母不在同一本户口簿上，需要出生医学证明确认亲子关系，卫健部门未查到该证明的电子信息。",
        "how": "可上传出生医学证明原件的照片或扫描件（PDF、JPG、PNG），或报名时携带原件到学校现场核验；遗失的可到出生医院或卫生健康部门申请补发。",
    },
    "MARRIAGE_CERTIFICATE": {
        "name": "结婚证",
        "why": "学生与父母不在同一本户口簿上，需要结婚证确认父母的婚姻关系，民政部门未查到有效的婚姻登记信息。",
        "how": "可上传结婚证原件的照片或扫描件（PDF、JPG、PNG），或报名时携带原件到学校现场核验；遗失的可到婚姻登记机关申请补领。",
    },
    # the rest only a reviewer asks for (tell-once, as many as needed); the rules never do
    "HUKOU_BOOKLET": {
        "name": "户口簿（户主页和学生、父母的个人页）",
        "why": REVIEW_WHY,
        "how": REVIEW_HOW,
    },
    "PROPERTY_CERTIFICATE": {
        "name": "不动产权证书或购房合同",
        "why": REVIEW_WHY,
        "how": REVIEW_HOW,
    },
    "RESIDENCE_PERMIT": {
        "name": "居住证",
        "why": REVIEW_WHY,
        "how": REVIEW_HOW,
    },
    "SOCIAL_INSURANCE": {
        "name": "社会保险缴纳证明",
        "why": REVIEW_WHY,
        "how": REVIEW_HOW,
    },
    "GUARDIANSHIP_PROOF": {
        "name": "监护关系证明（法院判决书、公证的委托书等）",
        "why": REVIEW_WHY,
        "how": REVIEW_HOW,
    },
    "OTHER": {
        "name": "其他材料（见区教育局的说明）",
        "why": REVIEW_WHY,
        "how": REVIEW_HOW,
    },
}


def reason_text(code: str, policy: "Policy") -> str:
    window = policy.age["primary"]
    return REASONS.get(code, code).format(
        born_from=f"{window.born_from.date(policy.year):%Y年%m月%d日}",
        born_to=f"{window.born_to.date(policy.year):%Y年%m月%d日}",
        year=policy.year,
        threshold=policy.area_threshold_m2,
    )


REVIEW_REJECTED = "经区教育局审核，不予通过："


def rejection_reasons(policy: "Policy", reasons: list[str], explanation: str) -> list[str]:
    """Why a case was not approved, one plain sentence each: the rules' reasons, or (a reviewer's
    rejection) the reason the reviewer gave."""
    told = [
        reason_text(code, policy)
        for code in reasons
        if code in REASONS and code != "REVIEW_REJECTED"
    ]
    given = explanation.strip().removeprefix(REVIEW_REJECTED)
    return told or [given or OUTCOMES[Status.REJECTED] + "。"]


def explain(policy: "Policy", decision: "Decision") -> str:
    parts = [OUTCOMES[decision.outcome] + "。"]
    if decision.school_name and decision.category:
        parts.append(
            f"录取学校：{decision.school_name}，入学顺位：{CATEGORIES[decision.category]}。"
        )
    parts += [reason_text(code, policy) for code in decision.reasons]
    if decision.missing:
        names = "、".join(MATERIALS[m]["name"] for m in decision.missing)
        place = decision.school_name or "学校"
        parts.append(f"请一次补齐以下材料：{names}（可在线上传，或携带原件到{place}现场核验）。")
    return "".join(parts)


SEGMENTS = {"primary": "小学一年级（幼升小）", "junior": "初中一年级（小升初）"}
STATUSES: dict[str, str] = {
    Status.DRAFT: "填写中",
    Status.NOTICE_ISSUED: "已发放学位告知书",
    Status.NEEDS_MATERIALS: "待补充材料",
    Status.MANUAL_REVIEW: "人工审核中",
    Status.REJECTED: "未通过",
    Status.WITHDRAWN: "已撤回",
    Status.QUALIFIED: "资格审核通过",
}
CHANNELS = {
    "online": "网上办理",
    "offline": "学校现场办理",
    "county": "县级系统",
    "kiosk": "自助终端",
}
NO_CATEGORY = "区教育局统筹安排"


def category_label(code: str | None) -> str:
    """A seat without a category was arranged by the district (统筹)."""
    return CATEGORIES[code] if code else NO_CATEGORY


class Labelled(Protocol):
    """What ``labels`` reads of a case (the case row, or anything shaped like it)."""

    status: str
    segment: str
    channel: str
    category: str | None
    school_code: str | None


def labels(case: Labelled) -> dict[str, str | None]:
    """The Chinese words for a case's codes, for pages and the API alike."""
    return {
        "status_label": STATUSES.get(case.status, "办理中"),
        "segment_label": SEGMENTS[case.segment],
        "channel_label": CHANNELS.get(case.channel, case.channel),
        "category_label": category_label(case.category) if case.school_code else None,
    }


GUARDIAN_WHERE = {
    "online": "网上",
    "offline": "学校窗口",
    "kiosk": "自助终端",
    "county": "县级系统",
}
STAFF_PLACES = {
    "desk": "学校窗口",
    "reviewer": "区教育局",
    "admin": "管理员",
    "archivist": "档案室",
}


def actor_label(
    actor: str, channel: str = "", staff: Mapping[str, tuple[str, str]] | None = None
) -> str:
    """Who did it, in words: 系统, 监护人（网上） by the case's channel (never the guardian's
    code), 学校窗口 张三 for a staff account found in ``staff`` (username → name, role)."""
    kind, _, rest = actor.partition(":")
    if kind in ("system", "cli"):
        return "系统"
    if kind == "guardian":
        where = GUARDIAN_WHERE["offline"] if rest == "desk" else GUARDIAN_WHERE.get(channel)
        return f"监护人（{where}）" if where else "监护人"
    if kind == "staff":
        name, role = (staff or {}).get(rest, (rest, ""))
        return f"{STAFF_PLACES.get(role, '工作人员')} {name}"
    return actor


EVENTS = {
    "consent": "授权", "spouse_consent": "配偶授权", "spouse_consent_withdrawn": "配偶撤回授权", "single_parent": "单亲家庭", "fetch": "部门数据查询",
    "choose_residence": "选择房产", "material": "补充材料", "submit": "提交", "decide": "自动审核",
    Status.NOTICE_ISSUED: "发放学位告知书", Action.REVOKE: "撤销学位告知书", "withdraw": "撤回申请和授权", "desk_consent": "现场书面授权",
    "originals_seen": "核验原件", "review_approve": "区教育局审核通过", "review_reject": "区教育局不予通过",
    "review_request_materials": "区教育局一次性告知补充材料", "desk_scan": "窗口扫描原件",
    "materials_complete": "材料已补齐，重新审核",
    "rejection_issued": "发放不予通过告知书",
    Action.QUALIFY: "资格审核通过，待统一安排学位",
}  # fmt: skip
EVENTS.update(  # the guardian reads these too: plain words, not the staff's work-order terms
    place="全区学位分配",
    rated="服务评价",
    rectification_open="不满意评价转办理单位跟进",
    rectification_visited="工作人员回访了解情况",
    rectification_fixed="问题已改进",
    rectification_replied="答复评价人",
    rectification_closed="评价跟进结束",
    rectification_appealed="办理单位申请复核评价",
    rectification_set_aside="复核认定误评，不计入考核",
)
