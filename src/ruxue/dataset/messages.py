"""The dataset's problems in Chinese for the people who run the commands. The rules keep the
English messages of ``sandbox-dataset.md`` (e.g. ``persons[3].id_number: bad check digit``);
a command prints each with its Chinese beside it."""

import re

CHINESE = {
    "must be 18 characters": "应为18位",
    "bad format": "格式不正确",
    "bad check digit": "校验码错误",
    "bad birth date": "出生日期不正确",
    "unknown region code": "行政区划代码不存在",
    "duplicate person": "人员重复",
    "does not agree with the ID number's sequence digit": "与身份证号码的顺序码不符",
    "does not agree with the ID number": "与身份证号码不符",
    "no such hukou booklet": "户口簿不存在",
    "no such person": "数据集中无此人",
    "before valid_from": "早于有效期起始日",
    "duplicate points record of this person": "同一人的积分记录重复",
    "no such school": "学校不存在",
    "a school cannot overflow to itself": "统筹学校不能是本校",
    "not a school of the same district and segment": "统筹学校须为同一区、同一学段",
    "listed twice": "重复列出",
    "the child is already listed in this group": "该儿童已在此优先类别中",
    "required field missing": "缺少必填项",
}
PATTERNS = (
    (re.compile(r"^duplicate (\w+)$"), "编号重复"),
    (re.compile(r"^shares add up to .*, not 1$"), "产权份额之和不为1"),
    (re.compile(r"^Expected `.*`, got `.*`$"), "类型或取值不正确"),
    (re.compile(r"^Invalid enum value .*$"), "取值不在允许范围内"),
    (re.compile(r"^Expected .*(length|>=|<=|<|>|matching regex).*$"), "取值不符合格式要求"),
    (re.compile(r"^Invalid (date|RFC3339).*$"), "日期不正确"),
)


def in_chinese(message: str) -> str:
    """The problem as a command prints it: the English message, its Chinese beside it."""
    chinese = CHINESE.get(message) or next(
        (words for pattern, words in PATTERNS if pattern.match(message)), "数据不符合格式"
    )
    return f"{message}（{chinese}）"
