"""What goes into a package: the XML and text files of ``spec/archive.md``, built from plain data.
No I/O; ``build.py`` writes them and ``check.py`` reads them back."""

import base64
import hashlib
from dataclasses import dataclass

from lxml import etree

from ruxue.kit.crypto import sm3_hex

METS_NS = "http://www.loc.gov/METS/"
PREMIS_NS = "http://www.loc.gov/premis/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XLINK_NS = "http://www.w3.org/1999/xlink"


@dataclass(frozen=True)
class PackedFile:
    path: str  # relative to data/, e.g. "content/001-公办地段学位告知书.pdf"
    title: str
    mime: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def sm3(self) -> str:
        return sm3_hex(self.data)


def _xml(root: etree._Element, pretty: bool = True) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)


def catalogue(archive_no: str, files: list[PackedFile]) -> bytes:
    """目录文件.xml: the item list."""
    root = etree.Element("目录", 档号=archive_no, 件数=str(len(files)))
    for number, f in enumerate(files, start=1):
        etree.SubElement(
            root,
            "文件",
            序号=f"{number:03d}",
            题名=f.title,
            路径=f.path,
            格式=f.mime,
            大小=str(len(f.data)),
        )
    return _xml(root)


def description(archive_no: str, case_no: str, issuer: str, files: list[PackedFile]) -> bytes:
    lines = [f"档号：{archive_no}", f"办件编号：{case_no}", f"形成单位：{issuer}", "归档方式：随办随归（单套制）",
             f"文件数：{len(files)}", "结构：content/ 文件；metadata/ 元数据（EEP、PREMIS、四性检测）；trace/ 办理过程记录"]  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def signed_object(
    archive_no: str, files: list[PackedFile], events: list[dict[str, object]], agent: str
) -> etree._Element:
    """The EEP 被签名对象: file, business and agent entities."""
    obj = etree.Element("被签名对象", 档号=archive_no)
    files_el = etree.SubElement(obj, "文件实体")
    for f in files:
        etree.SubElement(files_el, "文件", 路径=f.path, 题名=f.title, SM3=f.sm3, SHA256=f.sha256)
    business = etree.SubElement(obj, "业务实体")
    for e in events:
        etree.SubElement(business, "业务行为", 业务标识符=str(e["case_no"]), 机构人员标识符=str(e["actor"]),
                         业务状态=str(e.get("action", "")), 行为时间=str(e["at"]), 顺序号=str(e["seq"]))  # fmt: skip
    agents = etree.SubElement(obj, "机构人员实体")
    etree.SubElement(agents, "机构", 名称=agent)
    return obj


def eep(obj: etree._Element, signature: bytes, public_pem: bytes) -> bytes:
    root = etree.Element("电子文件封装包", 版本="DA/T 48-style")
    root.append(obj)
    sig = etree.SubElement(root, "电子签名", 算法="SM2-with-SM3", 签名范围="被签名对象(C14N)")
    etree.SubElement(sig, "签名值").text = base64.b64encode(signature).decode()
    etree.SubElement(sig, "公钥").text = public_pem.decode()
    return _xml(
        root, pretty=False
    )  # indentation would change what was signed (C14N keeps whitespace)


def canonical(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n")


def mets(archive_no: str, files: list[PackedFile]) -> bytes:
    m = f"{{{METS_NS}}}"
    root = etree.Element(
        f"{m}mets",
        nsmap={"mets": METS_NS, "xlink": XLINK_NS},
        OBJID=archive_no,
        TYPE="入学一件事办件",
    )
    sec = etree.SubElement(etree.SubElement(root, f"{m}fileSec"), f"{m}fileGrp", USE="content")
    for n, f in enumerate(files, start=1):
        fe = etree.SubElement(sec, f"{m}file", ID=f"F{n:03d}", MIMETYPE=f.mime, SIZE=str(len(f.data)),
                              CHECKSUM=f.sha256, CHECKSUMTYPE="SHA-256")  # fmt: skip
        etree.SubElement(fe, f"{m}FLocat", LOCTYPE="URL", attrib={f"{{{XLINK_NS}}}href": f.path})
    div = etree.SubElement(
        etree.SubElement(root, f"{m}structMap"), f"{m}div", TYPE="办件", LABEL=archive_no
    )
    for n, _ in enumerate(files, start=1):
        etree.SubElement(
            etree.SubElement(div, f"{m}div", ORDER=str(n)), f"{m}fptr", FILEID=f"F{n:03d}"
        )
    return _xml(root)


def premis(files: list[PackedFile], events: list[dict[str, object]], agent: str) -> bytes:
    p = f"{{{PREMIS_NS}}}"
    root = etree.Element(f"{p}premis", nsmap={"premis": PREMIS_NS, "xsi": XSI_NS}, version="3.0")
    for f in files:
        obj = etree.SubElement(root, f"{p}object", {f"{{{XSI_NS}}}type": "premis:file"})
        ident = etree.SubElement(obj, f"{p}objectIdentifier")
        etree.SubElement(ident, f"{p}objectIdentifierType").text = "path"
        etree.SubElement(ident, f"{p}objectIdentifierValue").text = f.path
        chars = etree.SubElement(obj, f"{p}objectCharacteristics")
        for algo, value in (("SHA-256", f.sha256), ("SM3", f.sm3)):
            fixity = etree.SubElement(chars, f"{p}fixity")
            etree.SubElement(fixity, f"{p}messageDigestAlgorithm").text = algo
            etree.SubElement(fixity, f"{p}messageDigest").text = value
        etree.SubElement(chars, f"{p}size").text = str(len(f.data))
        designation = etree.SubElement(
            etree.SubElement(chars, f"{p}format"), f"{p}formatDesignation"
        )
        etree.SubElement(designation, f"{p}formatName").text = f.mime
    for e in events:
        ev = etree.SubElement(root, f"{p}event")
        ident = etree.SubElement(ev, f"{p}eventIdentifier")
        etree.SubElement(ident, f"{p}eventIdentifierType").text = "case-event"
        etree.SubElement(ident, f"{p}eventIdentifierValue").text = f"{e['case_no']}#{e['seq']}"
        etree.SubElement(ev, f"{p}eventType").text = str(e["action"])
        etree.SubElement(ev, f"{p}eventDateTime").text = str(e["at"])
    agent_el = etree.SubElement(root, f"{p}agent")
    ident = etree.SubElement(agent_el, f"{p}agentIdentifier")
    etree.SubElement(ident, f"{p}agentIdentifierType").text = "name"
    etree.SubElement(ident, f"{p}agentIdentifierValue").text = agent
    return _xml(root)


@dataclass(frozen=True)
class Transfer:
    """One transfer (移交) batch: what the register and the batch catalogue say of it."""

    batch: str
    sender: str  # 移交单位
    receiver: str  # 接收单位
    created: str  # ISO time
    packages: list[tuple[str, str, int]]  # (档号, SHA-256 of the tag manifest at capture, bytes)
    checks: dict[str, int]  # GD group → packages that passed it


def transfer_register(t: Transfer) -> bytes:
    """移交登记表.xml in the shape of DA/T 93's 电子档案移交与接收登记表: the batch, its size, the
    four-property results of the transfer check, the two parties (signatures are added on paper
    or by the receiving system)."""
    root = etree.Element("电子档案移交与接收登记表", 批次=t.batch)
    for name, value in (("交接工作名称", f"{t.batch} 入学办件电子档案移交"), ("内容描述", "义务教育入学“一件事”办件档案（单套制，一案一包，BagIt）"),
                        ("移交电子档案数量", str(len(t.packages))), ("移交数据量", str(sum(b for _, _, b in t.packages))),
                        ("移交单位", t.sender), ("接收单位", t.receiver), ("移交时间", t.created)):  # fmt: skip
        etree.SubElement(root, name).text = value
    checks = etree.SubElement(root, "检验情况", 检验包数=str(len(t.packages)))
    for group, label in (
        ("GD-1", "真实性"),
        ("GD-2", "完整性"),
        ("GD-3", "可用性"),
        ("GD-4", "安全性"),
    ):
        etree.SubElement(checks, "检验项目", 名称=label, 通过包数=str(t.checks.get(group, 0)))
    return _xml(root)


def transfer_catalogue(t: Transfer) -> bytes:
    """目录文件.xml of the batch: one entry per package, in archive-number order."""
    root = etree.Element("移交目录", 批次=t.batch, 件数=str(len(t.packages)))
    for number, (archive_no, digest, size) in enumerate(t.packages, start=1):
        etree.SubElement(root, "档案包", 序号=f"{number:05d}", 档号=archive_no, 路径=f"{archive_no}/",
                         标签清单SHA256=digest, 字节数=str(size))  # fmt: skip
    return _xml(root)


BAGIT_TXT = b"BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n"


def bag_tags(payload: dict[str, bytes], info: dict[str, str]) -> dict[str, bytes]:
    """The tag files of a BagIt bag (RFC 8493) whose payload is ``payload`` (paths under data/).

    Written here instead of calling bagit-python's ``make_bag``/``save``: those change the
    process's working directory (``os.chdir``) while they run, which in a threaded worker moves
    another thread's files — a load test had two concurrent builds bag the worker's working
    directory. Building the tags from the bytes in hand also saves re-reading every file. The
    bags are still validated by bagit-python, at filing and in the tests."""
    manifest = "".join(
        f"{hashlib.sha256(data).hexdigest()}  data/{path}\n"
        for path, data in sorted(payload.items())
    )
    fields = {**info, "Payload-Oxum": f"{sum(len(d) for d in payload.values())}.{len(payload)}",
              "Bag-Software-Agent": "ruxue (BagIt 0.97 writer)"}  # fmt: skip
    tags = {"bagit.txt": BAGIT_TXT, "bag-info.txt": "".join(f"{k}: {v}\n" for k, v in sorted(fields.items())).encode(),
            "manifest-sha256.txt": manifest.encode()}  # fmt: skip
    tags["tagmanifest-sha256.txt"] = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(tags.items())
    ).encode()
    return tags
