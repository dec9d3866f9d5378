"""The district education bureaus that issue the notices, and the districts' short names."""

ISSUERS = {
    "320508": "苏州市姑苏区教育局", "320505": "苏州高新区（虎丘区）教育局", "320506": "苏州市吴中区教育局",
    "320507": "苏州市相城区教育局", "320509": "苏州市吴江区教育局", "320571": "苏州工业园区教育局",
    "320581": "常熟市教育局", "320582": "张家港市教育局", "320583": "昆山市教育局", "320585": "太仓市教育局",
}  # fmt: skip


# the 行政复议机关 of each bureau's decisions (行政复议法 2023, art. 24: the people's government at
# the bureau's own level); the park's bureau answers to the city (its 管委会 is no government:
# to be confirmed by the park's legal office)
REVIEW_BODIES = {
    "320508": "苏州市姑苏区人民政府", "320505": "苏州市虎丘区人民政府", "320506": "苏州市吴中区人民政府",
    "320507": "苏州市相城区人民政府", "320509": "苏州市吴江区人民政府", "320571": "苏州市人民政府",
    "320581": "常熟市人民政府", "320582": "张家港市人民政府", "320583": "昆山市人民政府", "320585": "太仓市人民政府",
}  # fmt: skip


def review_body_of(district_code: str | None) -> str:
    return REVIEW_BODIES.get(district_code or "", "苏州市人民政府")


def issuer_of(district_code: str | None) -> str:
    return ISSUERS.get(district_code or "", "苏州市教育局")


def district_label(code: str) -> str:
    """The district's short name (吴中区, 昆山市); its code when the city does not know it."""
    name = ISSUERS.get(code, code or "未分区")
    return name.removeprefix("苏州市").removesuffix("教育局") or code
