"""The cohort's policy keys (``cohort.md``, "Policy keys") as a validated model.

Part of the policy (``ruxue.cohort`` re-exports it as ``cohort.policy_keys``): the stored versions
and ``ruxue policy import`` validate with it, and the policy may not import the cohort.

Dates are TOML strings, "MM-DD" (in the enrollment year) or "YYYY-MM-DD"; a file is refused with
one Chinese message per bad key, each naming the key and the value.
"""

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Segment = Literal["primary", "junior"]
DATE = re.compile(r"^(\d{4}-)?\d{2}-\d{2}$")
DATE_KEYS = ("publish_on", "hukou_before", "property_before")


def resolve_date(value: str, year: int) -> dt.date:
    """ "MM-DD" in ``year``, or a full "YYYY-MM-DD"."""
    return dt.date.fromisoformat(value if len(value) == 10 else f"{year:04d}-{value}")


class CohortPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    year: int
    placement: Literal["at_submission", "allocation"] = "at_submission"
    publish_on: str | None = None
    hukou_before: str | None = None
    property_before: str | None = None
    seat_lock_years: dict[Segment, Annotated[int, Field(ge=1, le=12)]] = Field(default_factory=dict)
    priority_groups: tuple[str, ...] = ()
    sibling_priority: bool = False
    permit_months: int = Field(default=6, ge=0, le=240)
    insurance_months: int = Field(default=1, ge=0, le=1200)
    points_min: float = Field(default=0, ge=0)

    @field_validator(*DATE_KEYS)
    @classmethod
    def _a_date(cls, value: str | None, info: Any) -> str | None:
        if value is None:
            return None
        try:
            if not DATE.match(value):
                raise ValueError
            resolve_date(value, info.data.get("year", 2000))
        except ValueError:
            raise ValueError("date") from None
        return value

    def date(self, key: str) -> dt.date | None:
        """A date key resolved in the policy's year (None when absent)."""
        value = getattr(self, key)
        return None if value is None else resolve_date(value, self.year)


def validate_policy(data: Mapping[str, Any], year: int) -> CohortPolicy | list[str]:
    """A parsed TOML table of cohort keys → the model, or every error in plain Chinese."""
    if "year" in data:
        return [f"year：{data['year']!r} 不是政策项（年度由 --year 指定）"]
    try:
        return CohortPolicy(year=year, **_tuples(data))
    except ValidationError as error:
        return [_message(e, data) for e in error.errors()]


# domain.md's keys: they stay in the shipped files (``load_policy``), an import may not carry them
DOMAIN_KEYS = ("area_threshold_m2", "categories", "age", "windows")


def read_policy_file(text: str, year: int) -> CohortPolicy | list[str]:
    """A policy file as the bureau writes it → the model, or every error at once, each naming
    its key. Stricter than ``validate_policy``: ``allocation`` needs its ``publish_on``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return [f"文件不是有效的 TOML 格式：{error}"]
    errors = [_shipped_only(key) for key in DOMAIN_KEYS if key in data]
    found = validate_policy({k: v for k, v in data.items() if k not in DOMAIN_KEYS}, year)
    if isinstance(found, list):
        return errors + found
    if found.placement == "allocation" and found.publish_on is None:
        errors.append("publish_on：未设置，集中分配（allocation）须写明分配结果的公布日期")
    return errors or found


def _shipped_only(key: str) -> str:
    return (
        f"{key}：不能导入，报名时间、年龄、面积和类别由随系统发布的政策文件规定，"
        "导入的版本只含招生办法中的学位分配项（见 docs/policy.md）"
    )


def _tuples(data: Mapping[str, Any]) -> dict[str, Any]:
    """TOML arrays arrive as lists; the model keeps tuples (strict mode takes none other)."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


def _message(error: Any, data: Mapping[str, Any]) -> str:
    loc = [part for part in error["loc"] if part != "[key]"]
    path = ".".join(str(part) for part in loc)
    value = data.get(str(loc[0]), error.get("input"))
    if len(loc) > 1:
        value = loc[1] if error["loc"][-1] == "[key]" else error.get("input")
    return f"{path}：{value!r} {_why(error, str(loc[0]))}"


WHY = {
    "extra_forbidden": "不是可设置的政策项",
    "literal_error": "取值无效，应为 {choices}",
    "bool_type": "应为 true 或 false",
    "int_type": "应为整数",
    "float_type": "应为数字",
    "string_type": "应为字符串",
    "tuple_type": "应为字符串列表",
    "dict_type": "应为按学段（primary、junior）的表",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
}


def _why(error: Any, key: str) -> str:
    if key in DATE_KEYS and error["type"] in ("value_error", "string_type"):
        return '应为字符串 "MM-DD" 或 "YYYY-MM-DD"，且是存在的日期'
    ctx = dict(error.get("ctx", {}))
    ctx["choices"] = str(ctx.get("expected", "")).replace(" or ", " 或 ").replace("'", "")
    return WHY.get(error["type"], "取值无效").format(**ctx)


# the groups of ``priority_groups`` as the bureau's lists name them (dataset v2 ``group``)
PRIORITY_GROUPS = {
    "military": "军人子女",
    "talent": "高层次人才子女",
    "firefighter": "消防救援人员子女",
}


def group_label(code: str) -> str:
    """A priority group in words (its code when the city has no name for it)."""
    return PRIORITY_GROUPS.get(code, code)
