"""API shapes of the data tracker."""

import datetime as dt

from pydantic import BaseModel

DEPARTMENT_NAMES = {
    "police": "公安（户籍）",
    "property": "资规（不动产登记）",
    "civil": "民政（婚姻登记）",
    "health": "卫健（出生医学证明）",
    "hrss": "人社（社会保险）",
    "xueji": "省学籍系统",
    "elicence": "电子证照库",
    "points": "积分管理（流动人口积分）",
}


class TrackedCall(BaseModel):
    at: dt.datetime
    department: str
    department_name: str
    service: str
    fields: list[str]
    purpose: str
    case_no: str
    outcome: str
