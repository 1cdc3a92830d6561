"""Deterministic generator of benchmark data for smartcity-registry.

Two modes, both following docs/vocabulary.md (no blank nodes):

    .venv/bin/python -m synthetic.generate catalogue --resources 1000 \
        -o bench/data/catalogue-1000.ttl
    .venv/bin/python -m synthetic.generate registry --standards 10000 --resources 50000 \
        -o bench/data/registry-50000.nq

catalogue: one department's submission: the department (a valid GB 32100 credit
    code), a dcat:Catalog listing N scs:InformationResource entries with exactly
    10 scs:DataItem each, conforming to the real standards of examples/standards.ttl
    (referenced by IRI, not copied).
registry: a whole registry's current graph: N generated standards (well-formed,
    unique "GB/T 9xxxx-20yy" identifiers, dated and undated references to earlier
    editions, supersession chains), departments, resources and data interfaces
    conforming to them, one catalogue per department. N-Quads in the named graph
    urn:screg:graph:current, or Turtle / N-Triples if -o ends in .ttl / .nt.

About `--invalid-ratio` (default 2 %) of the resources break one rule each, from a
varied set (see INVALID_KINDS). Their focus nodes (the resource, or the data item
for the item rules) are written one IRI a line to `<out>.invalid.txt`, and with the
rule broken to `<out>.invalid-kinds.tsv`. An invalid resource may also draw results
on other nodes (a shape that checks data items through the resource, say); the list
names the node the broken rule is about.

The same seed gives byte-identical output. Lines are written directly (no rdflib
graph), so 50,000 resources take seconds.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from registry.inputs.identifiers import (  # noqa: E402
    WELL_FORMED,
    credit_code_check_char,
    is_valid_credit_code,
)

BASE = "http://127.0.0.1:8000/id/"
GRAPH_CURRENT = "urn:screg:graph:current"
EXAMPLE_STANDARDS = ROOT / "examples" / "standards.ttl"

NAMESPACES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "scs": "https://w3id.org/smartcity-std#",
    "cat": "https://w3id.org/smartcity-std/category/",
    "level": "https://w3id.org/smartcity-std/code/level/",
    "nature": "https://w3id.org/smartcity-std/code/nature/",
    "stdstatus": "https://w3id.org/smartcity-std/code/standard-status/",
    "sharing": "https://w3id.org/smartcity-std/code/sharing-type/",
    "method": "https://w3id.org/smartcity-std/code/sharing-method/",
    "openness": "https://w3id.org/smartcity-std/code/openness/",
    "cycle": "https://w3id.org/smartcity-std/code/update-cycle/",
    "format": "https://w3id.org/smartcity-std/code/format/",
    "dtype": "https://w3id.org/smartcity-std/code/data-type/",
    "rclass": "https://w3id.org/smartcity-std/code/resource-class/",
}

# A term is (N-Triples form, Turtle form); they differ only for vocabulary terms.
Term = tuple[str, str]


def v(qname: str) -> Term:
    prefix, local = qname.split(":", 1)
    return f"<{NAMESPACES[prefix]}{local}>", qname


def iri(text: str) -> Term:
    form = f"<{text}>"
    return form, form


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def lit(text: str, lang: str | None = None) -> Term:
    form = f'"{_escape(text)}"' + (f"@{lang}" if lang else "")
    return form, form


def date(text: str) -> Term:
    return f'"{text}"^^<{NAMESPACES["xsd"]}date>', f'"{text}"^^xsd:date'


def integer(value: int) -> Term:
    return f'"{value}"^^<{NAMESPACES["xsd"]}integer>', str(value)


A = v("rdf:type")
_PREDICATES = (
    "dct:identifier dct:title dct:description dct:publisher dct:issued dct:conformsTo "
    "dct:relation dct:replaces dct:isReplacedBy dct:accrualPeriodicity "
    "dcat:dataset dcat:service dcat:endpointURL dcat:endpointDescription "
    "dcat:servesDataset dcat:version skos:prefLabel "
    "scs:creditCode scs:resourceCode scs:resourceClass scs:format scs:formatDetail "
    "scs:dataItem scs:sharingType scs:sharingCondition scs:sharingBasis scs:sharingMethod "
    "scs:openness scs:openCondition scs:itemName scs:itemCode scs:dataType scs:length "
    "scs:position scs:level scs:nature scs:standardStatus scs:category scs:inForceFrom "
    "scs:withdrawnOn scs:ics scs:ccs scs:datedReference scs:undatedReference "
    "scs:interfaceCode scs:protocol scs:authMethod"
)
P = {q: v(q) for q in _PREDICATES.split()}
C_RESOURCE = v("scs:InformationResource")
C_ITEM = v("scs:DataItem")
C_STANDARD = v("scs:Standard")
C_ORG = v("org:Organization")
C_CATALOG = v("dcat:Catalog")
C_INTERFACE = v("scs:DataInterface")


# ------------------------------------------------------------------ word lists

AREAS = [
    ("沈阳市", "Shenyang"),
    ("和平区", "Heping District"),
    ("沈河区", "Shenhe District"),
    ("大东区", "Dadong District"),
    ("皇姑区", "Huanggu District"),
    ("铁西区", "Tiexi District"),
    ("浑南区", "Hunnan District"),
    ("于洪区", "Yuhong District"),
    ("沈北新区", "Shenbei New District"),
    ("苏家屯区", "Sujiatun District"),
]

# 类 -> 项 (subjects); the position in the list (from 1) is the 项 code.
SUBJECTS: dict[int, list[tuple[str, str]]] = {
    1: [
        ("人口", "population"),
        ("法人", "legal entity"),
        ("自然资源", "natural resources"),
        ("空间地理", "spatial geography"),
        ("社会信用", "social credit"),
        ("电子证照", "electronic licence"),
    ],
    2: [
        ("医疗健康", "health care"),
        ("社会保障", "social security"),
        ("食品药品安全", "food and drug safety"),
        ("安全生产", "work safety"),
        ("生态环境", "ecology and environment"),
        ("城乡建设", "urban and rural construction"),
        ("交通出行", "transport"),
        ("教育", "education"),
        ("就业", "employment"),
        ("应急管理", "emergency management"),
        ("社区治理", "community governance"),
    ],
    3: [
        ("户籍", "household registration"),
        ("机动车", "motor vehicle"),
        ("驾驶人", "driver"),
        ("婚姻登记", "marriage registration"),
        ("社会组织", "social organisation"),
        ("养老机构", "elderly care institution"),
        ("医疗机构", "medical institution"),
        ("学校", "school"),
        ("企业", "enterprise"),
        ("公交线路", "bus route"),
        ("停车场", "car park"),
        ("排水管网", "drainage network"),
        ("供热", "district heating"),
        ("不动产", "real estate"),
    ],
}

# 目 (kinds); the position in the list (from 1) is the 目 code.
KINDS = [
    ("基础信息", "basic information"),
    ("登记信息", "registration information"),
    ("监测数据", "monitoring data"),
    ("统计数据", "statistics"),
    ("许可信息", "licensing information"),
    ("变更信息", "change records"),
    ("检查信息", "inspection records"),
    ("服务记录", "service records"),
    ("年报信息", "annual reports"),
    ("目录信息", "directory"),
]

# Data items: (zh name, data type, length for C/N else None).
ITEMS: list[tuple[str, str, int | None]] = [
    ("名称", "C", 100),
    ("统一社会信用代码", "C", 18),
    ("公民身份号码", "C", 18),
    ("姓名", "C", 50),
    ("性别代码", "C", 1),
    ("出生日期", "D", None),
    ("民族代码", "C", 2),
    ("联系电话", "C", 20),
    ("住所地址", "C", 200),
    ("行政区划代码", "C", 6),
    ("登记日期", "D", None),
    ("登记机关", "C", 100),
    ("发证日期", "D", None),
    ("有效期至", "D", None),
    ("证照编号", "C", 50),
    ("经营范围", "M", None),
    ("注册资本", "Y", None),
    ("从业人数", "I", None),
    ("占地面积", "N", 12),
    ("经度", "F", None),
    ("纬度", "F", None),
    ("监测值", "B", None),
    ("监测时间", "T", None),
    ("更新时间", "T", None),
    ("是否有效", "L", None),
    ("状态代码", "C", 2),
    ("备注", "M", None),
    ("数量", "N", 10),
    ("金额", "Y", None),
    ("附件", "G", None),
]

FORMATS = [
    ("format:document", ["OFD", "PDF", "DOCX"]),
    ("format:spreadsheet", ["xlsx", "et", "csv"]),
    ("format:database", ["MySQL", "Oracle", "达梦 DM8", "PostgreSQL"]),
    ("format:image", ["JPEG", "PNG", "TIFF"]),
    ("format:streaming", ["MP4", "FLV"]),
    ("format:selfdescribing", ["JSON", "XML"]),
]
FORMAT_WEIGHTS = [10, 20, 55, 5, 3, 7]
CYCLES = [
    ("realtime", "实时"),
    ("daily", "每日"),
    ("weekly", "每周"),
    ("monthly", "每月"),
    ("quarterly", "每季度"),
    ("halfyearly", "每半年"),
    ("yearly", "每年"),
    ("irregular", "不定期"),
]
METHODS = ["method:database", "method:file", "method:interface", "method:media"]
SHARING_CONDITIONS = [
    "仅向承担相关职能的政府部门提供,用于行政审批和事中事后监管",
    "需经提供方审核同意,仅限本市政务服务使用",
    "按需申请,使用部门须签订数据安全保密协议",
    "仅提供核验结果,不提供原始数据",
    "仅用于统计分析,不得用于其他目的",
]
SHARING_BASES = [
    "《中华人民共和国个人信息保护法》第十三条",
    "《中华人民共和国数据安全法》第二十一条",
    "《中华人民共和国保守国家秘密法》第九条",
    "《政务信息资源共享管理暂行办法》第九条",
]
OPEN_CONDITIONS = ["经脱敏处理后向社会开放", "仅开放统计汇总数据", "登记后下载"]

DEPARTMENTS = [
    ("沈阳市大数据管理局", "Shenyang Big Data Administration", "DSJ"),
    ("沈阳市公安局", "Shenyang Public Security Bureau", "GAJ"),
    ("沈阳市民政局", "Shenyang Civil Affairs Bureau", "MZJ"),
    ("沈阳市人力资源和社会保障局", "Shenyang Human Resources and Social Security Bureau", "RSJ"),
    ("沈阳市卫生健康委员会", "Shenyang Health Commission", "WJW"),
    ("沈阳市自然资源局", "Shenyang Natural Resources Bureau", "ZRZYJ"),
    ("沈阳市交通运输局", "Shenyang Transport Bureau", "JTJ"),
    ("沈阳市教育局", "Shenyang Education Bureau", "JYJ"),
    ("沈阳市市场监督管理局", "Shenyang Administration for Market Regulation", "SCJGJ"),
    ("沈阳市生态环境局", "Shenyang Ecology and Environment Bureau", "STHJJ"),
    ("沈阳市住房和城乡建设局", "Shenyang Housing and Urban-Rural Development Bureau", "ZJJ"),
    ("沈阳市应急管理局", "Shenyang Emergency Management Bureau", "YJJ"),
    ("沈阳市城市管理行政执法局", "Shenyang Urban Management Bureau", "CGJ"),
    ("沈阳市税务局", "Shenyang Taxation Bureau", "SWJ"),
    ("沈阳市统计局", "Shenyang Statistics Bureau", "TJJ"),
    ("沈阳市医疗保障局", "Shenyang Healthcare Security Bureau", "YBJ"),
    ("沈阳市文化旅游和广播电视局", "Shenyang Culture, Tourism, Radio and Television Bureau", "WLJ"),
    ("沈阳市农业农村局", "Shenyang Agriculture and Rural Affairs Bureau", "NYJ"),
    ("沈阳市水务局", "Shenyang Water Affairs Bureau", "SWUJ"),
    ("沈阳市商务局", "Shenyang Commerce Bureau", "SHWJ"),
]

# Generated standards: domain x object x document type.
STD_DOMAINS = [
    ("智慧城市", "Smart city"),
    ("城市大数据", "Urban big data"),
    ("政务信息资源", "Government information resources"),
    ("智能交通", "Intelligent transport"),
    ("智慧医疗", "Smart health care"),
    ("公共安全视频", "Public security video"),
    ("城市物联网", "Urban Internet of Things"),
    ("电子政务", "E-government"),
    ("智慧社区", "Smart community"),
    ("城市运行管理", "Urban operation management"),
]
STD_OBJECTS = [
    ("数据元", "data elements"),
    ("信息资源目录", "information resource catalogue"),
    ("数据接口", "data interfaces"),
    ("共享交换平台", "sharing and exchange platform"),
    ("数据质量", "data quality"),
    ("数据安全", "data security"),
    ("元数据", "metadata"),
    ("参考模型", "reference model"),
    ("编码规则", "coding rules"),
    ("服务能力", "service capability"),
    ("运维管理", "operation and maintenance"),
]
STD_DOCTYPES = [
    ("技术要求", "technical requirements"),
    ("规范", "specification"),
    ("指南", "guide"),
    ("评价指标", "evaluation indicators"),
    ("测试方法", "test methods"),
    ("通用要求", "general requirements"),
]
SUBCATEGORIES = [
    "1.1",
    "1.2",
    "1.3",
    "2.1",
    "2.2",
    "3.1",
    "3.2",
    "3.3",
    "3.4",
    "3.5",
    "4.1",
    "4.2",
    "5.1",
    "6.1",
    "6.2",
]
ICS = ["35.240.01", "35.240.99", "35.020", "35.110", "13.310", "03.120.10"]
CCS = ["L67", "L70", "L71", "L80", "A10", "A24"]
AUTH_METHODS = ["OAuth 2.0", "API Key", "HMAC 签名", "数字证书"]


# ------------------------------------------------------------------ invalid entries

INVALID_KINDS = (
    "bad-resource-code",
    "missing-title",
    "conditional-without-condition",
    "none-without-basis",
    "unknown-code-value",
    "unregistered-standard",
    "item-without-type",
    "item-bad-length",
    "missing-issued",
    "missing-publisher",
    "missing-description",
)
# Focus node of each kind: the resource, except for the data-item rules.
ITEM_KINDS = {"item-without-type", "item-bad-length"}
UNREGISTERED_STANDARD = f"{BASE}standard/GB-T-89999-2099"


def _invalid_plan(rng: random.Random, n: int, ratio: float) -> dict[int, str]:
    """Which resources (index 0..n-1) are invalid, and the rule each breaks."""
    count = round(n * ratio) if ratio > 0 else 0
    if ratio > 0 and n > 0:
        count = max(1, count)
    indices = sorted(rng.sample(range(n), min(count, n)))
    kinds = list(INVALID_KINDS)
    rng.shuffle(kinds)
    return {index: kinds[k % len(kinds)] for k, index in enumerate(indices)}


# ------------------------------------------------------------------ writer


class Writer:
    """Writes entities as N-Quads, N-Triples or Turtle, line by line."""

    def __init__(self, out: TextIO, fmt: str, graph: str | None = GRAPH_CURRENT) -> None:
        if fmt not in ("nq", "nt", "ttl"):
            raise ValueError(f"unknown output format {fmt!r}")
        self.out = out
        self.fmt = fmt
        self.graph_suffix = f" <{graph}>" if fmt == "nq" and graph else ""
        self.triples = 0
        if fmt == "ttl":
            out.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in NAMESPACES.items()) + "\n")

    def comment(self, text: str) -> None:
        if self.fmt == "ttl":
            self.out.write(f"# {text}\n\n")

    def entity(self, subject: str, pairs: Sequence[tuple[Term, Term]]) -> None:
        self.triples += len(pairs)
        s = f"<{subject}>"
        if self.fmt == "ttl":
            body = " ;\n    ".join(f"{p[1]} {o[1]}" for p, o in pairs)
            self.out.write(f"{s}\n    {body} .\n\n")
        else:
            g = self.graph_suffix
            self.out.write("".join(f"{s} {p[0]} {o[0]}{g} .\n" for p, o in pairs))


def format_for(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return {".ttl": "ttl", ".nt": "nt", ".nq": "nq"}.get(suffix, "ttl")


# ------------------------------------------------------------------ entries


def credit_code(index: int, seed: int) -> str:
    """A well-formed unified social credit code: 11 (government body) + Shenyang 210100
    + a made-up 9-character organisation code + the GB 32100 check character."""
    first17 = f"11210100MB{seed % 100:02d}{index:05d}"
    code = first17 + credit_code_check_char(first17)
    assert is_valid_credit_code(code), code
    return code


def _date(rng: random.Random, first_year: int, last_year: int) -> str:
    return f"{rng.randint(first_year, last_year)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


@dataclass
class Department:
    iri: str
    code: str
    name_zh: str
    name_en: str
    abbr: str
    resources: list[str] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)


def make_department(index: int, seed: int) -> Department:
    name_zh, name_en, abbr = DEPARTMENTS[index % len(DEPARTMENTS)]
    if index >= len(DEPARTMENTS):
        round_ = index // len(DEPARTMENTS) + 1
        name_zh, name_en, abbr = f"{name_zh}({round_})", f"{name_en} ({round_})", f"{abbr}{round_}"
    code = credit_code(index + 1, seed)
    return Department(f"{BASE}department/{code}", code, name_zh, name_en, abbr)


def write_department(w: Writer, dept: Department) -> None:
    w.entity(
        dept.iri,
        [
            (A, C_ORG),
            (P["skos:prefLabel"], lit(dept.name_zh, "zh")),
            (P["skos:prefLabel"], lit(dept.name_en, "en")),
            (P["scs:creditCode"], lit(dept.code)),
        ],
    )


def write_resource(
    w: Writer,
    rng: random.Random,
    seq: int,
    seq_width: int,
    dept: Department,
    standards: Sequence[str],
    earlier: Sequence[str],
    invalid: str | None,
) -> tuple[str, str | None]:
    """One information resource with its 10 data items; returns (IRI, invalid focus)."""
    cls = rng.choice((1, 1, 2, 2, 2, 3, 3, 3, 3))
    subjects = SUBJECTS[cls]
    xiang = rng.randrange(len(subjects))
    mu = rng.randrange(len(KINDS))
    code = f"{cls}{xiang + 1:02d}{mu + 1:03d}/{seq:0{seq_width}d}"
    res = f"{BASE}resource/{code.replace('/', '-')}"
    subject_zh, subject_en = subjects[xiang]
    kind_zh, kind_en = KINDS[mu]
    area_zh, area_en = rng.choice(AREAS)
    title_zh = f"{area_zh}{subject_zh}{kind_zh}"
    title_en = f"{area_en} {subject_en} {kind_en}"
    fmt, details = rng.choices(FORMATS, FORMAT_WEIGHTS)[0]
    cycle, cycle_zh = rng.choice(CYCLES)
    items = rng.sample(ITEMS, 10)
    sharing = rng.choices(("unconditional", "conditional", "none"), (50, 35, 15))[0]
    focus = res if invalid and invalid not in ITEM_KINDS else None

    shown_code = code
    if invalid == "bad-resource-code":
        shown_code = rng.choice(
            (f"4{code[1:]}", code.replace("/", ""), f"{cls}{xiang + 1:02d}/{seq}")
        )
    pairs: list[tuple[Term, Term]] = [
        (A, C_RESOURCE),
        (P["scs:resourceCode"], lit(shown_code)),
    ]
    if invalid != "missing-title":
        pairs += [(P["dct:title"], lit(title_zh, "zh")), (P["dct:title"], lit(title_en, "en"))]
    if invalid != "missing-publisher":
        pairs.append((P["dct:publisher"], iri(dept.iri)))
    if invalid != "missing-description":
        names = "、".join(name for name, _t, _l in items[:4])
        pairs += [
            (
                P["dct:description"],
                lit(f"{dept.name_zh}提供的{title_zh},包括{names}等信息项,{cycle_zh}更新。", "zh"),
            ),
            (
                P["dct:description"],
                lit(
                    f"{title_en.capitalize()} provided by the {dept.name_en}, "
                    f"with {len(items)} data items, updated {cycle}.",
                    "en",
                ),
            ),
        ]
    unknown = (
        rng.choice(("cycle", "sharing", "format", "class"))
        if (invalid == "unknown-code-value")
        else None
    )
    pairs.append(
        (P["scs:resourceClass"], v("rclass:9") if unknown == "class" else v(f"rclass:{cls}"))
    )
    pairs.append((P["scs:format"], v("format:pdf") if unknown == "format" else v(fmt)))
    pairs.append((P["scs:formatDetail"], lit(rng.choice(details))))
    for k in range(1, 11):
        pairs.append((P["scs:dataItem"], iri(f"{res}/item/{k}")))
    stype = sharing
    if invalid == "conditional-without-condition":
        stype = "conditional"
    elif invalid == "none-without-basis":
        stype = "none"
    pairs.append(
        (
            P["scs:sharingType"],
            v("sharing:partial") if unknown == "sharing" else v(f"sharing:{stype}"),
        )
    )
    if stype == "conditional" and invalid != "conditional-without-condition":
        pairs.append((P["scs:sharingCondition"], lit(rng.choice(SHARING_CONDITIONS))))
    if stype == "none" and invalid != "none-without-basis":
        pairs.append((P["scs:sharingBasis"], lit(rng.choice(SHARING_BASES))))
    if stype != "none":
        for method in rng.sample(METHODS[:3], rng.randint(1, 2)):
            pairs.append((P["scs:sharingMethod"], v(method)))
    opened = stype == "unconditional" and rng.random() < 0.4
    pairs.append((P["scs:openness"], v("openness:open" if opened else "openness:closed")))
    if opened and rng.random() < 0.5:
        pairs.append((P["scs:openCondition"], lit(rng.choice(OPEN_CONDITIONS))))
    pairs.append(
        (
            P["dct:accrualPeriodicity"],
            v("cycle:hourly") if unknown == "cycle" else v(f"cycle:{cycle}"),
        )
    )
    if invalid != "missing-issued":
        pairs.append((P["dct:issued"], date(_date(rng, 2018, 2024))))
    for std in rng.sample(standards, min(len(standards), rng.randint(1, 2))):
        pairs.append((P["dct:conformsTo"], iri(std)))
    if invalid == "unregistered-standard":
        pairs.append((P["dct:conformsTo"], iri(UNREGISTERED_STANDARD)))
    if earlier and rng.random() < 0.1:
        pairs.append((P["dct:relation"], iri(rng.choice(earlier))))
    w.entity(res, pairs)

    bad_item = rng.randint(1, 10) if invalid in ITEM_KINDS else 0
    for k, (name, dtype, length) in enumerate(items, start=1):
        item = f"{res}/item/{k}"
        ipairs: list[tuple[Term, Term]] = [
            (A, C_ITEM),
            (P["scs:itemName"], lit(name, "zh")),
            (P["scs:itemCode"], lit(f"DE{ITEMS.index((name, dtype, length)) + 1:05d}")),
        ]
        if not (k == bad_item and invalid == "item-without-type"):
            ipairs.append((P["scs:dataType"], v(f"dtype:{dtype}")))
        if k == bad_item and invalid == "item-bad-length":
            ipairs.append((P["scs:length"], integer(rng.choice((0, -5)))))
        elif length is not None:
            ipairs.append((P["scs:length"], integer(length)))
        ipairs.append((P["scs:position"], integer(k)))
        w.entity(item, ipairs)
        if k == bad_item:
            focus = item
    return res, focus


def write_catalog(w: Writer, dept: Department, name: str, issued: str) -> None:
    pairs: list[tuple[Term, Term]] = [
        (A, C_CATALOG),
        (P["dct:title"], lit(f"{dept.name_zh}政务信息资源目录", "zh")),
        (
            P["dct:title"],
            lit(f"Government information resource catalogue of the {dept.name_en}", "en"),
        ),
        (P["dct:publisher"], iri(dept.iri)),
        (P["dct:issued"], date(issued)),
    ]
    pairs += [(P["dcat:dataset"], iri(r)) for r in dept.resources]
    pairs += [(P["dcat:service"], iri(s)) for s in dept.interfaces]
    w.entity(f"{BASE}catalogue/{dept.code}/{name}", pairs)


def example_standards(path: Path = EXAMPLE_STANDARDS) -> list[str]:
    """IRIs of the current standards in examples/standards.ttl (a real, registered set)."""
    from rdflib import Graph, Namespace, URIRef
    from rdflib.namespace import RDF

    scs = Namespace(NAMESPACES["scs"])
    graph = Graph().parse(data=path.read_bytes(), format="turtle")
    current = URIRef(NAMESPACES["stdstatus"] + "current")
    found = sorted(
        str(s)
        for s in graph.subjects(RDF.type, scs.Standard)
        if (s, scs.standardStatus, current) in graph
    )
    if not found:
        raise SystemExit(f"no current standards in {path}")
    return found


# ------------------------------------------------------------------ modes


@dataclass
class Result:
    invalid: list[tuple[str, str]]  # (focus IRI, kind)
    triples: int
    counts: dict[str, int]


def write_catalogue(
    out: TextIO,
    fmt: str,
    n: int,
    seed: int = 1,
    invalid_ratio: float = 0.02,
    standards: Sequence[str] | None = None,
    department: int | None = None,
) -> Result:
    """A catalogue of `n` resources of one department: the seed's (random), or
    `department` (an index of DEPARTMENTS) for catalogues of one owner, whose resource
    codes then never collide with another department's."""
    rng = random.Random(seed)
    w = Writer(out, fmt)
    standards = list(standards) if standards is not None else example_standards()
    drawn = rng.randrange(len(DEPARTMENTS))  # drawn either way: the rest stays the same
    # A fixed department is the same one (its credit code too) whatever the seed.
    dept = make_department(drawn, seed) if department is None else make_department(department, 0)
    plan = _invalid_plan(rng, n, invalid_ratio)
    w.comment(
        f"Generated by synthetic/generate.py catalogue --resources {n} --seed {seed}: "
        "benchmark data, not real."
    )
    write_department(w, dept)
    width = max(5, len(str(n)))
    invalid: list[tuple[str, str]] = []
    for i in range(n):
        res, focus = write_resource(
            w, rng, i + 1, width, dept, standards, dept.resources[-50:], plan.get(i)
        )
        dept.resources.append(res)
        if focus:
            invalid.append((focus, plan[i]))
    write_catalog(w, dept, f"bench-{n}-s{seed}", _date(rng, 2024, 2024))
    return Result(invalid, w.triples, {"resources": n, "departments": 1, "catalogues": 1})


@dataclass
class Edition:
    iri: str
    ident: str
    prefix: str
    number: str
    year: int
    issued: str
    in_force: str
    line: int
    status: str = "current"
    replaces: str | None = None
    replaced_by: str | None = None
    withdrawn: str | None = None


def _standard_number(line: int) -> str:
    base = f"{90000 + line % 10000}"
    return base if line < 10000 else f"{base}.{line // 10000}"


def plan_standards(rng: random.Random, n: int) -> list[Edition]:
    """n editions in lines of 1-3 editions; unique, well-formed identifiers."""
    editions: list[Edition] = []
    line = 0
    while len(editions) < n:
        prefix = rng.choices(("GB/T", "GB", "GB/Z"), (90, 5, 5))[0]
        number = _standard_number(line)
        count = min(rng.choice((1, 1, 1, 2, 2, 3)), n - len(editions))
        year = rng.randint(2000, 2021 - 3 * (count - 1))
        previous: Edition | None = None
        for _ in range(count):
            if year > 2025:  # no editions from the future
                break
            ident = f"{prefix} {number}-{year}"
            assert WELL_FORMED.match(ident), ident
            issued = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            m = int(issued[5:7]) + 6
            in_force = f"{year + (m > 12)}-{(m - 1) % 12 + 1:02d}-{issued[8:]}"
            slug = ident.replace("/", "-").replace(" ", "-")
            edition = Edition(
                f"{BASE}standard/{slug}", ident, prefix, number, year, issued, in_force, line
            )
            if previous is not None:
                previous.status = "superseded"
                previous.replaced_by = edition.iri
                previous.withdrawn = edition.in_force
                edition.replaces = previous.iri
            editions.append(edition)
            previous = edition
            year += rng.randint(3, 6)
        if previous is not None:
            if previous.year >= 2025:
                previous.status = "forthcoming"
            elif rng.random() < 0.03:
                previous.status = "abolished"
                previous.withdrawn = f"{min(previous.year + 8, 2024)}-12-31"
        line += 1
    return editions


def write_standards(w: Writer, rng: random.Random, editions: list[Edition]) -> None:
    order = sorted(range(len(editions)), key=lambda k: (editions[k].issued, k))
    nature = {"GB/T": "recommended", "GB": "mandatory", "GB/Z": "guidance"}
    titles: dict[int, tuple[str, str]] = {}
    categories: dict[int, list[str]] = {}
    for position, k in enumerate(order):
        ed = editions[k]
        if ed.line not in titles:
            d, o, t = rng.choice(STD_DOMAINS), rng.choice(STD_OBJECTS), rng.choice(STD_DOCTYPES)
            part = ed.number.split(".")[1] if "." in ed.number else None
            zh = f"{d[0]} {o[0]}{t[0]}" + (f" 第{part}部分" if part else "")
            en = f"{d[1]} — {o[1].capitalize()} — {t[1]}" + (f" — Part {part}" if part else "")
            titles[ed.line] = (zh, en)
            cats = [rng.choice(SUBCATEGORIES)]
            if rng.random() < 0.2:
                cats.append(rng.choice(SUBCATEGORIES))
            categories[ed.line] = sorted(set(cats))
        zh, en = titles[ed.line]
        pairs: list[tuple[Term, Term]] = [
            (A, C_STANDARD),
            (P["dct:identifier"], lit(ed.ident)),
            (P["dct:title"], lit(zh, "zh")),
            (P["dct:title"], lit(en, "en")),
            (P["scs:level"], v("level:national")),
            (P["scs:nature"], v(f"nature:{nature[ed.prefix]}")),
            (P["scs:standardStatus"], v(f"stdstatus:{ed.status}")),
        ]
        pairs += [(P["scs:category"], v(f"cat:{c}")) for c in categories[ed.line]]
        pairs += [
            (P["dct:issued"], date(ed.issued)),
            (P["scs:inForceFrom"], date(ed.in_force)),
            (P["scs:ics"], lit(ICS[ed.line % len(ICS)])),
            (P["scs:ccs"], lit(CCS[ed.line % len(CCS)])),
        ]
        if ed.withdrawn:
            pairs.append((P["scs:withdrawnOn"], date(ed.withdrawn)))
        if ed.replaces:
            pairs.append((P["dct:replaces"], iri(ed.replaces)))
        if ed.replaced_by:
            pairs.append((P["dct:isReplacedBy"], iri(ed.replaced_by)))
        # About 3 normative references to standards issued earlier, other lines only.
        seen: set[int] = {ed.line}
        for _ in range(min(position, rng.choice((2, 3, 3, 4)))):
            target = editions[order[rng.randrange(position)]]
            if target.line in seen or target.issued >= ed.issued:
                continue
            seen.add(target.line)
            kind = "scs:datedReference" if rng.random() < 0.5 else "scs:undatedReference"
            pairs.append((P[kind], iri(target.iri)))
        w.entity(ed.iri, pairs)


def write_registry(
    out: TextIO,
    fmt: str,
    n_standards: int,
    n_resources: int,
    seed: int = 1,
    n_departments: int = len(DEPARTMENTS),
    n_interfaces: int | None = None,
    invalid_ratio: float = 0.02,
) -> Result:
    rng = random.Random(seed)
    w = Writer(out, fmt)
    w.comment(
        f"Generated by synthetic/generate.py registry --standards {n_standards} "
        f"--resources {n_resources} --seed {seed}: benchmark data, not real."
    )
    editions = plan_standards(rng, n_standards)
    write_standards(w, rng, editions)
    conformable = [e.iri for e in editions if e.status in ("current", "forthcoming")]
    depts = [make_department(k, seed) for k in range(max(1, n_departments))]
    for dept in depts:
        write_department(w, dept)
    plan = _invalid_plan(rng, n_resources, invalid_ratio)
    width = max(5, len(str(n_resources)))
    invalid: list[tuple[str, str]] = []
    for i in range(n_resources):
        dept = depts[rng.randrange(len(depts))]
        res, focus = write_resource(
            w, rng, i + 1, width, dept, conformable, dept.resources[-50:], plan.get(i)
        )
        dept.resources.append(res)
        if focus:
            invalid.append((focus, plan[i]))
    invalid_resources = {f.split("/item/")[0] for f, _k in invalid}
    n_interfaces = n_resources // 10 if n_interfaces is None else n_interfaces
    for i in range(n_interfaces):
        dept = depts[rng.randrange(len(depts))]
        valid = [r for r in dept.resources[-30:] if r not in invalid_resources]
        if not valid:
            continue
        code = f"SY-{dept.abbr}-API-{i + 1:05d}"
        itf = f"{BASE}interface/{code}"
        name_zh = f"{dept.name_zh}数据服务接口{i + 1}"
        pairs: list[tuple[Term, Term]] = [
            (A, C_INTERFACE),
            (P["scs:interfaceCode"], lit(code)),
            (P["dct:title"], lit(name_zh, "zh")),
            (P["dct:title"], lit(f"{dept.name_en} data service interface {i + 1}", "en")),
            (P["dct:publisher"], iri(dept.iri)),
            (
                P["dcat:endpointURL"],
                iri(f"https://data.shenyang.example.gov.cn/api/{dept.abbr.lower()}/v1/{i + 1}"),
            ),
            (
                P["dcat:endpointDescription"],
                iri(
                    f"https://data.shenyang.example.gov.cn/api/{dept.abbr.lower()}/v1/{i + 1}"
                    "/openapi.json"
                ),
            ),
            (P["scs:protocol"], lit("HTTP/REST")),
        ]
        for r in rng.sample(valid, min(len(valid), rng.randint(1, 3))):
            pairs.append((P["dcat:servesDataset"], iri(r)))
        pairs.append((P["dct:conformsTo"], iri(rng.choice(conformable))))
        pairs.append((P["dcat:version"], lit(f"1.{rng.randint(0, 5)}.0")))
        pairs.append((P["scs:authMethod"], lit(rng.choice(AUTH_METHODS))))
        w.entity(itf, pairs)
        dept.interfaces.append(itf)
    for dept in depts:
        write_catalog(w, dept, "registry", _date(rng, 2024, 2024))
    counts = {
        "standards": len(editions),
        "departments": len(depts),
        "resources": n_resources,
        "interfaces": sum(len(d.interfaces) for d in depts),
        "catalogues": len(depts),
    }
    return Result(invalid, w.triples, counts)


# ------------------------------------------------------------------ API


def generate_catalogue(
    n: int, seed: int = 1, invalid_ratio: float = 0.02, department: int | None = None
) -> tuple[str, list[str]]:
    """A catalogue of n resources as Turtle text, and the invalid focus IRIs."""
    buffer = io.StringIO()
    result = write_catalogue(buffer, "ttl", n, seed, invalid_ratio, department=department)
    return buffer.getvalue(), [focus for focus, _kind in result.invalid]


def write_output(path: Path, produce: Callable[[TextIO, str], Result]) -> Result:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", buffering=1 << 20, newline="\n") as out:
        result = produce(out, format_for(str(path)))
    with Path(f"{path}.invalid.txt").open("w", encoding="utf-8") as side:
        side.write("".join(f"{focus}\n" for focus, _kind in result.invalid))
    with Path(f"{path}.invalid-kinds.tsv").open("w", encoding="utf-8") as side:
        side.write("".join(f"{focus}\t{kind}\n" for focus, kind in result.invalid))
    return result


def _rebase_file(path: Path, old: str, new: str) -> None:
    moved = path.with_name(path.name + ".rebasing")
    with path.open(encoding="utf-8") as src, moved.open("w", encoding="utf-8", newline="\n") as out:
        for line in src:
            out.write(line.replace(old, new))
    moved.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    cat = sub.add_parser("catalogue", help="one department's catalogue submission")
    cat.add_argument("--resources", type=int, default=1000)
    reg = sub.add_parser("registry", help="a whole registry's current graph")
    reg.add_argument("--standards", type=int, default=10000)
    reg.add_argument("--resources", type=int, default=50000)
    reg.add_argument("--departments", type=int, default=len(DEPARTMENTS))
    reg.add_argument(
        "--interfaces", type=int, default=None, help="default: a tenth of the resources"
    )
    for p in (cat, reg):
        p.add_argument(
            "-o",
            "--output",
            required=True,
            help="output file; .ttl Turtle, .nt N-Triples, .nq N-Quads",
        )
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--invalid-ratio", type=float, default=0.02)
        p.add_argument(
            "--base",
            default=BASE,
            help=f"the registry's base IRI (SCREG_BASE_IRI) the IRIs are minted under "
            f"[default: {BASE}]",
        )
    args = parser.parse_args(argv)
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+/", args.base):
        parser.error("--base must be an http(s) IRI ending in /")
    path = Path(args.output)
    if re.search(r"\.(gz|bz2|xz)$", path.name):
        parser.error("write uncompressed output")
    started = time.perf_counter()
    if args.mode == "catalogue":
        result = write_output(
            path,
            lambda out, fmt: write_catalogue(
                out, fmt, args.resources, args.seed, args.invalid_ratio
            ),
        )
    else:
        result = write_output(
            path,
            lambda out, fmt: write_registry(
                out,
                fmt,
                args.standards,
                args.resources,
                args.seed,
                args.departments,
                args.interfaces,
                args.invalid_ratio,
            ),
        )
    if args.base != BASE:
        # Everything is written under BASE (the examples' standards too, as a server
        # with another base seeds them): moved afterwards, a line at a time.
        for written in (path, Path(f"{path}.invalid.txt"), Path(f"{path}.invalid-kinds.tsv")):
            _rebase_file(written, BASE, args.base)
    elapsed = time.perf_counter() - started
    counts = ", ".join(f"{v} {k}" for k, v in result.counts.items())
    print(
        f"{path}: {result.triples} triples ({counts}), {len(result.invalid)} invalid "
        f"focus nodes in {path}.invalid.txt; {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
