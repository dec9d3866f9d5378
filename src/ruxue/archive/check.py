"""四性检测 (DA/T 70, filing stage GD): one result per item, each with why it failed. Reads a
package directory; no database. Run at filing, on a schedule and on transfer."""

import base64
import errno
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import bagit
import pikepdf
from lxml import etree

from ruxue.archive.merkle import leaf_hash, verify_inclusion
from ruxue.archive.package import METS_NS, PREMIS_NS, canonical
from ruxue.archive.scanner import Scanner
from ruxue.kit.crypto import canonical_json, sm3_hex
from ruxue.kit.sm2 import verify

ARCHIVE_NO = re.compile(r"^DA\d{4}\d{6}[0-9A-F]{10}(-\d+)?$")  # -2…: a case's later state
MANDATORY_BAG_INFO = ("External-Identifier", "Bagging-Date", "Source-Organization", "Payload-Oxum")
# the decision in the trace: the rules' (``decide``) or, for a district on allocation, the run's
# placement (``place``) of a case the rules qualified
DECISIONS = {"decide", "place"}
SCHEMAS = Path(__file__).parent / "schemas"


@dataclass
class Item:
    code: str
    name: str
    passed: bool
    why: str = ""


def _item(code: str, name: str, test: Callable[[], str | None], root: Path) -> Item:
    try:
        problem = test()
    except Exception as exc:  # a check that cannot run fails, and says why, in Chinese
        problem = _why(exc, root)
    return Item(code, name, problem is None, problem or "")


def _why(exc: Exception, root: Path) -> str:
    """A malformed package is a failing item, never a crash: name what is missing or broken."""
    if isinstance(exc, OSError) and exc.filename:
        rel = _relative(Path(str(exc.filename)), root)
        if isinstance(exc, FileNotFoundError):
            return f"缺少文件或目录：{rel}"
        if isinstance(exc, NotADirectoryError):
            return f"应为目录却是文件：{rel}"
        if isinstance(exc, IsADirectoryError):
            return f"应为文件却是目录：{rel}"
        return f"无法读取 {rel}：{exc.strerror}"
    if isinstance(exc, etree.XMLSyntaxError):
        return f"XML 无法解析：{exc.msg}（第 {exc.lineno} 行）"
    if isinstance(exc, ValueError | TypeError):
        return f"内容格式不正确：{exc}"
    if isinstance(exc, KeyError):
        return f"缺少字段：{exc}"
    if isinstance(exc, bagit.BagError):
        return f"不是有效的 BagIt 包：{exc}"
    if isinstance(exc, pikepdf.PdfError):
        return f"PDF 无法打开：{exc}"
    return f"检测无法完成（{type(exc).__name__}）：{exc}"


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def check_package(
    path: Path,
    scanner: Scanner | None = None,
    archive_number: str | None = None,
) -> list[Item]:
    data = path / "data"
    number = archive_number or path.name
    bag = cache(lambda: _open_bag(path))  # read the manifests once, for the items that need them
    return [
        _item("GD-1-1", "真实性：BagIt 清单与文件一致", lambda: _bag_valid(bag), path),
        _item("GD-1-2", "真实性：EEP 电子签名（SM2）有效", lambda: _eep_signature(data), path),
        _item("GD-1-3", "真实性：档号格式", lambda: _archive_no(number, bag), path),
        _item("GD-1-4", "真实性：METS 校验和与文件一致", lambda: _mets_checksums(data), path),
        _item(
            "GD-1-5", "真实性：PREMIS 固定性（SHA-256、SM3）", lambda: _premis_fixity(data), path
        ),
        _item(
            "GD-1-6", "真实性：办理痕迹在日志中的包含证明与签名树头", lambda: _log_proof(data), path
        ),
        _item("GD-2-1", "完整性：文件数与目录一致", lambda: _catalogue(data), path),
        _item("GD-2-2", "完整性：必备元数据齐全", lambda: _bag_info(bag), path),
        _item("GD-2-3", "完整性：办理痕迹连续完整", lambda: _trace(data), path),
        _item(
            "GD-3-1", "可用性：XML 可解析，METS、PREMIS 符合 XSD", lambda: _xml_parse(data), path
        ),
        _item("GD-3-2", "可用性：归档格式（PDF/A、JPEG、PNG）", lambda: _formats(data), path),
        _item("GD-4-1", "安全性：无多余文件", lambda: _no_extra(path, bag), path),
        _item("GD-4-2", "安全性：病毒检测", lambda: _virus(data, scanner), path),
    ]


def _open_bag(path: Path) -> bagit.Bag:
    _must_exist(path / "bagit.txt")
    return bagit.Bag(str(path))


def _parse(path: Path) -> etree._ElementTree:
    """An XML file of the package; a missing one is named (lxml's own error does not say which)."""
    _must_exist(path)
    return etree.parse(str(path))


def _must_exist(path: Path) -> None:
    if not path.is_file():
        raise FileNotFoundError(errno.ENOENT, "missing", str(path))


def _bag_valid(bag: Callable[[], bagit.Bag]) -> str | None:
    try:
        bag().validate(processes=1)
    except bagit.BagValidationError as exc:
        details = "; ".join(str(d) for d in exc.details[:5]) if exc.details else str(exc)
        return f"BagIt 校验未通过：{details}"
    except bagit.BagError as exc:
        return f"不是有效的 BagIt 包：{exc}"
    return None


def _eep_signature(data: Path) -> str | None:
    root = _parse(data / "metadata" / "eep.xml").getroot()
    obj = root.find("被签名对象")
    signature = base64.b64decode(root.findtext("电子签名/签名值") or "")
    public_pem = (root.findtext("电子签名/公钥") or "").encode()
    if obj is None or not verify(public_pem, canonical(obj), signature):
        return "签名与被签名对象不符"
    for f in obj.iterfind("文件实体/文件"):
        target = data / f.get("路径", "")
        if not target.is_file() or sm3_hex(target.read_bytes()) != f.get("SM3"):
            return f"{f.get('路径')} 与签名时的 SM3 不符"
    return None


def _archive_no(number: str, bag: Callable[[], bagit.Bag]) -> str | None:
    if not ARCHIVE_NO.match(number):
        return f"档号 {number} 不符合格式"
    recorded = bag().info.get("External-Identifier")
    return None if recorded == number else f"bag-info 的档号 {recorded} 与 {number} 不符"


def _mets_checksums(data: Path) -> str | None:
    root = _parse(data / "METS.xml").getroot()
    for f in root.iter(f"{{{METS_NS}}}file"):
        href = f.find(f"{{{METS_NS}}}FLocat").get("{http://www.w3.org/1999/xlink}href")
        if hashlib.sha256((data / href).read_bytes()).hexdigest() != f.get("CHECKSUM"):
            return f"{href} 的 SHA-256 与 METS 不符"
    return None


def _premis_fixity(data: Path) -> str | None:
    root = _parse(data / "metadata" / "premis.xml").getroot()
    p = f"{{{PREMIS_NS}}}"
    for obj in root.iter(f"{p}object"):
        rel = obj.findtext(f"{p}objectIdentifier/{p}objectIdentifierValue") or ""
        content = (data / rel).read_bytes()
        for fixity in obj.iter(f"{p}fixity"):
            algo, value = (
                fixity.findtext(f"{p}messageDigestAlgorithm"),
                fixity.findtext(f"{p}messageDigest"),
            )
            actual = hashlib.sha256(content).hexdigest() if algo == "SHA-256" else sm3_hex(content)
            if actual != value:
                return f"{rel} 的 {algo} 与 PREMIS 不符"
    return None


def _log_proof(data: Path) -> str | None:
    proof = json.loads((data / "trace" / "log-proof.json").read_text())
    trace = (data / "trace" / "events.jsonl").read_bytes()
    head = proof["tree_head"]
    if not verify(head["public_key"].encode(), canonical_json({k: head[k] for k in ("size", "root", "at")}),
                  base64.b64decode(head["signature"])):  # fmt: skip
        return "树头签名无效"
    ok = verify_inclusion(leaf_hash(trace), proof["leaf_index"], head["size"],
                          [bytes.fromhex(h) for h in proof["proof"]], bytes.fromhex(head["root"]))  # fmt: skip
    return None if ok else "办理痕迹不在签名树头所证明的日志中（可能被改动）"


def _catalogue(data: Path) -> str | None:
    root = _parse(data / "目录文件.xml").getroot()
    listed = {f.get("路径") for f in root.iter("文件")}
    present = {str(p.relative_to(data)) for p in (data / "content").iterdir()}
    if not present:
        return "content 目录中没有文件（每个办结的办件至少有其告知书）"
    if listed != present:
        return f"目录与文件不一致：多出 {sorted(present - listed)}，缺少 {sorted(listed - present)}"
    if int(root.get("件数", "-1")) != len(listed):
        return "件数与目录条目数不符"
    return None


def _bag_info(bag: Callable[[], bagit.Bag]) -> str | None:
    info = bag().info
    missing = [k for k in MANDATORY_BAG_INFO if not str(info.get(k, "")).strip()]
    return f"缺少 {', '.join(missing)}" if missing else None


def _trace(data: Path) -> str | None:
    events = []
    for n, line in enumerate((data / "trace" / "events.jsonl").read_bytes().splitlines(), start=1):
        try:
            events.append(json.loads(line))
        except ValueError:
            return f"办理痕迹第 {n} 行无法解析"
    if [e["seq"] for e in events] != list(range(1, len(events) + 1)):
        return "办理痕迹序号不连续"
    if not {e["action"] for e in events} & DECISIONS:
        return "缺少审核决定的记录"
    return None


def _xml_parse(data: Path) -> str | None:
    for rel in ("目录文件.xml", "metadata/eep.xml"):
        _parse(data / rel)
    for rel, schema in (("METS.xml", "mets.xsd"), ("metadata/premis.xml", "premis.xsd")):
        validator = _schema(schema)
        if not validator.validate(_parse(data / rel)):
            error = validator.error_log.last_error
            return f"{rel} 不符合 {schema}：第 {error.line} 行 {error.message}"
    return None


@cache
def _schema(name: str) -> etree.XMLSchema:
    """The vendored METS and PREMIS schemas (schemas/README.md), parsed once per process."""
    return etree.XMLSchema(_parse(SCHEMAS / name))


def _formats(data: Path) -> str | None:
    for f in (data / "content").iterdir():
        head = f.read_bytes()[:8]
        if f.suffix == ".pdf":
            with pikepdf.open(f) as pdf, pdf.open_metadata() as meta:
                if meta.get("pdfaid:part") != "2":
                    return f"{f.name} 不是 PDF/A-2"
        elif not (head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG")):
            return f"{f.name} 不是归档格式"
    return None


def _no_extra(path: Path, bag: Callable[[], bagit.Bag]) -> str | None:
    known = set(bag().payload_entries()) | {
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "tagmanifest-sha256.txt",
    }
    present = {str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()}
    extra = sorted(present - known)
    return f"多余文件：{extra}" if extra else None


def _virus(data: Path, scanner: Scanner | None) -> str | None:
    if scanner is None:
        return None  # no scanner configured: DA/T 70 asks for a scan where one is available
    found = scanner(data)
    return "发现病毒：" + "; ".join(found) if found else None


def as_json(items: list[Item]) -> list[dict[str, object]]:
    return [asdict(i) for i in items]
