"""四性检测 (DA/T 70, filing stage GD): one result per item, each with why it failed. Reads a
package directory; no database. Run at filing, on a schedule and on transfer."""

import base64
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

ARCHIVE_NO = re.compile(r"^DA\d{4}\d{6}[0-9A-F]{10}$")
MANDATORY_BAG_INFO = ("External-Identifier", "Bagging-Date", "Source-Organization", "Payload-Oxum")
TRACE_REQUIRED = {"decide"}
SCHEMAS = Path(__file__).parent / "schemas"


@dataclass
class Item:
    code: str
    name: str
    passed: bool
    why: str = ""


def _item(code: str, name: str, test: Callable[[], str | None]) -> Item:
    try:
        problem = test()
    except Exception as exc:  # a check that cannot run fails, and says why
        problem = f"{type(exc).__name__}: {exc}"
    return Item(code, name, problem is None, problem or "")


def check_package(
    path: Path,
    scanner: Scanner | None = None,
    archive_number: str | None = None,
) -> list[Item]:
    data = path / "data"
    number = archive_number or path.name
    bag = cache(
        lambda: bagit.Bag(str(path))
    )  # read the manifests once, for the four items that need them
    return [
        _item("GD-1-1", "真实性：BagIt 清单与文件一致", lambda: _bag_valid(bag)),
        _item("GD-1-2", "真实性：EEP 电子签名（SM2）有效", lambda: _eep_signature(data)),
        _item("GD-1-3", "真实性：档号格式", lambda: _archive_no(number, bag)),
        _item("GD-1-4", "真实性：METS 校验和与文件一致", lambda: _mets_checksums(data)),
        _item("GD-1-5", "真实性：PREMIS 固定性（SHA-256、SM3）", lambda: _premis_fixity(data)),
        _item("GD-1-6", "真实性：办理痕迹在日志中的包含证明与签名树头", lambda: _log_proof(data)),
        _item("GD-2-1", "完整性：文件数与目录一致", lambda: _catalogue(data)),
        _item("GD-2-2", "完整性：必备元数据齐全", lambda: _bag_info(bag)),
        _item("GD-2-3", "完整性：办理痕迹连续完整", lambda: _trace(data)),
        _item("GD-3-1", "可用性：XML 可解析，METS、PREMIS 符合 XSD", lambda: _xml_parse(data)),
        _item("GD-3-2", "可用性：归档格式（PDF/A、JPEG、PNG）", lambda: _formats(data)),
        _item("GD-4-1", "安全性：无多余文件", lambda: _no_extra(path, bag)),
        _item("GD-4-2", "安全性：病毒检测", lambda: _virus(data, scanner)),
    ]


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
    root = etree.parse(str(data / "metadata" / "eep.xml")).getroot()
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
    root = etree.parse(str(data / "METS.xml")).getroot()
    for f in root.iter(f"{{{METS_NS}}}file"):
        href = f.find(f"{{{METS_NS}}}FLocat").get("{http://www.w3.org/1999/xlink}href")
        if hashlib.sha256((data / href).read_bytes()).hexdigest() != f.get("CHECKSUM"):
            return f"{href} 的 SHA-256 与 METS 不符"
    return None


def _premis_fixity(data: Path) -> str | None:
    root = etree.parse(str(data / "metadata" / "premis.xml")).getroot()
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
    root = etree.parse(str(data / "目录文件.xml")).getroot()
    listed = {f.get("路径") for f in root.iter("文件")}
    present = {str(p.relative_to(data)) for p in (data / "content").iterdir()}
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
    if not {e["action"] for e in events} >= TRACE_REQUIRED:
        return "缺少审核决定的记录"
    return None


def _xml_parse(data: Path) -> str | None:
    for rel in ("目录文件.xml", "metadata/eep.xml"):
        etree.parse(str(data / rel))
    for rel, schema in (("METS.xml", "mets.xsd"), ("metadata/premis.xml", "premis.xsd")):
        validator = _schema(schema)
        if not validator.validate(etree.parse(str(data / rel))):
            error = validator.error_log.last_error
            return f"{rel} 不符合 {schema}：第 {error.line} 行 {error.message}"
    return None


@cache
def _schema(name: str) -> etree.XMLSchema:
    """The vendored METS and PREMIS schemas (schemas/README.md), parsed once per process."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


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
