"""The cohort's policy keys in plain Chinese, for ``ruxue policy show`` and the administrator's
page: each key's label, its value as the bureau wrote it, and whether it is the default."""

from dataclasses import dataclass

from ruxue.policy.cohort_keys import DATE_KEYS, CohortPolicy, group_label

LABELS = {
    "placement": "学位分配方式",
    "publish_on": "分配结果公布日期",
    "hukou_before": "户籍迁入截止日期",
    "property_before": "房产登记截止日期",
    "seat_lock_years": "一房一学位锁定年限",
    "priority_groups": "优先群体（按顺序）",
    "sibling_priority": "兄姐在读优先",
    "permit_months": "居住证持证满（月，新市民）",
    "insurance_months": "本市社保缴纳满（月，新市民）",
    "points_min": "积分不低于（新市民）",
}
PLACEMENTS = {
    "at_submission": "提交即发放学位告知书",
    "allocation": "集中分配（先资格审核，公布日统一分配学位）",
}
SEGMENT_NAMES = {"primary": "小学", "junior": "初中"}


KEYS = tuple(LABELS)


@dataclass(frozen=True)
class KeyLine:
    key: str
    label: str
    value: str  # as the bureau wrote it, e.g. "allocation", "07-10"
    meaning: str  # in plain Chinese, e.g. "集中分配（…）", "2026年07月10日"
    default: bool


def describe(policy: CohortPolicy) -> list[KeyLine]:
    """Every key of cohort.md, in its order, with its value and whether it is the default."""
    defaults = CohortPolicy(year=policy.year)
    return [
        KeyLine(
            key,
            LABELS[key],
            _raw(getattr(policy, key)),
            meaning(policy, key),
            getattr(policy, key) == getattr(defaults, key),
        )
        for key in KEYS
    ]


def set_keys(policy: CohortPolicy) -> list[KeyLine]:
    """The keys that differ from the default, but the placement and its date (shown apart)."""
    shown = ("placement", "publish_on")
    return [line for line in describe(policy) if not line.default and line.key not in shown]


def meaning(policy: CohortPolicy, key: str) -> str:
    value = getattr(policy, key)
    if key == "placement":
        return PLACEMENTS[value]
    if key in DATE_KEYS:
        date = policy.date(key)
        return f"{date:%Y年%m月%d日}" if date else "未设置（无此规定）"
    if key == "seat_lock_years":
        years = [f"{SEGMENT_NAMES[s]} {n} 年" for s, n in sorted(value.items())]
        return "、".join(years) or "未设置（无此规定）"
    if key == "priority_groups":
        return "、".join(group_label(g) for g in value) or "无"
    if key == "sibling_priority":
        return "是" if value else "否"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _raw(value: object) -> str:
    if value is None:
        return "（未设置）"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        pairs = ", ".join(f"{k} = {v}" for k, v in sorted(value.items()))
        return f"{{ {pairs} }}" if pairs else "{}"
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)
