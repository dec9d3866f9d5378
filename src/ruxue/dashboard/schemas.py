"""The dashboard's figures from the counter rows, and the columns of its tables."""

from ruxue.dashboard.repository import Figures
from ruxue.dashboard.rules import BANDS
from ruxue.rating.rules import figures, ratio

RATING_KEYS = (
    "decided",
    "active",
    "active_good",
    "defaulted",
    "good",
    "bad",
    "bad_rectified",
    "bad_named",
    "bad_named_visited",
    "set_aside",
)


def n(f: Figures, metric: str, key: str = "") -> int:
    return f.get((metric, key), (0, 0.0))[0]


def rating_counts(f: Figures) -> dict[str, int]:
    return {k: n(f, "rating", k) for k in RATING_KEYS}


def summary(f: Figures) -> dict[str, object]:
    backlog = {band: n(f, "backlog", band) for band in BANDS}
    waited = sum(f.get(("backlog", band), (0, 0.0))[1] for band in BANDS)
    counts = rating_counts(f)
    own, auto = f.get(("apps", ""), (0, 0.0))
    reported = n(f, "reported")
    return {
        "applications": {
            "total": own + reported,
            "reported": reported,  # run by a county system, known from its reports
            "auto_decided": int(auto),
            "auto_rate": ratio(int(auto), own),  # of the city's own: a county's are not known
        },
        "backlog": {
            "count": sum(backlog.values()),
            "bands": backlog,
            "over_limit": n(f, "backlog_over"),
            "average_days": round(waited / sum(backlog.values()), 1)
            if any(backlog.values())
            else None,
        },
        "needs_materials": n(f, "needs_materials"),
        "ratings": {"counts": counts, "figures": figures(counts)},
        "overdue": n(f, "overdue"),
        "archive": {k: n(f, "archive", k) for k in ("filed", "checks_passed", "checks_failed")},
    }


COLUMNS = {  # table -> (field, Chinese header)
    "units": [
        ("code", "代码"),
        ("name", "名称"),
        ("capacity", "学位数"),
        ("applications", "报名数"),
        ("reported", "其中区县系统上报"),
        ("auto_rate", "自动审批率"),
        ("backlog", "人工审核待办"),
        ("backlog_over", "超期待审"),
        ("needs_materials", "待补材料"),
        ("good_rate", "好评率"),
        ("active_rate", "主动评价率"),
        ("unrated_rate", "未评价率"),
        ("rectified_rate", "差评整改率"),
        ("visited_rate", "实名差评回访率"),
        ("overdue", "逾期整改"),
        ("filed", "已归档"),
        ("checks_failed", "四性检测未通过"),
    ],
    "departments": [
        ("department", "部门"),
        ("calls", "调用次数"),
        ("answered", "正常应答"),
        ("availability", "可用率"),
        ("p50_ms", "时延P50(ms)"),
        ("p95_ms", "时延P95(ms)"),
    ],
}


def unit_row(code: str, name: str, capacity: int | None, f: Figures) -> dict[str, object]:
    s = summary(f)
    apps, backlog = s["applications"], s["backlog"]
    ratings = s["ratings"]
    assert isinstance(apps, dict) and isinstance(backlog, dict) and isinstance(ratings, dict)
    return {
        "code": code,
        "name": name,
        "capacity": capacity,
        "applications": apps["total"],
        "reported": apps["reported"],
        "auto_rate": apps["auto_rate"],
        "backlog": backlog["count"],
        "backlog_over": backlog["over_limit"],
        "needs_materials": s["needs_materials"],
        **ratings["figures"],
        "overdue": s["overdue"],
        "filed": n(f, "archive", "filed"),
        "checks_failed": n(f, "archive", "checks_failed"),
    }


DEPARTMENTS = {
    "police": "公安",
    "property": "资规（不动产）",
    "civil": "民政",
    "health": "卫健",
    "hrss": "人社",
    "xueji": "省学籍系统",
    "elicence": "电子证照",
    "points": "积分管理",
}


def department_row(code: str, d: dict[str, float]) -> dict[str, object]:
    calls, answered = int(d.get("calls", 0)), int(d.get("answered", 0))
    return {
        "department": DEPARTMENTS.get(code, code),
        "calls": calls,
        "answered": answered,
        "availability": ratio(answered, calls),
        "p50_ms": d.get("p50_ms"),
        "p95_ms": d.get("p95_ms"),
    }
