"""Documents the tests submit: one information resource in Turtle, built from what a test
varies (code, titles, data items, …); everything else is the same conforming entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

BASE = "http://127.0.0.1:8000/id/"
BIG_DATA_BUREAU = f"{BASE}department/11210100EXAMPLE01N"
CODE_LISTS = "https://w3id.org/smartcity-std/code"


class DataItem(NamedTuple):
    name: str  # @zh
    code: str
    data_type: str  # a notation of the data-type code list
    length: int | None = None


NAME = DataItem("名称", "MC", "C", 50)
DATE = DataItem("日期", "RQ", "D")
PERSON_NAME = DataItem("姓名", "XM", "C", 50)


def resource_ttl(
    code: str,
    *,
    title: str | None,
    title_en: str | None = None,
    description: str,
    conforms_to: str | None = None,
    items: Sequence[DataItem] = (NAME,),
) -> bytes:
    """The resource `code` of the Big Data Bureau, its data items numbered in order.
    Without a title (`title=None`) it has a Violation; otherwise it conforms."""
    iri = f"{BASE}resource/{code.replace('/', '-')}"
    titles = [f'"{title}"@zh'] if title is not None else []
    titles += [f'"{title_en}"@en'] if title_en is not None else []
    title_line = f"dct:title {' , '.join(titles)} ;" if titles else ""
    conforms_line = f"dct:conformsTo <{conforms_to}> ;" if conforms_to else ""
    item_iris = " , ".join(f"<{iri}/item/{n}>" for n in range(1, len(items) + 1))
    text = f"""
@prefix scs: <https://w3id.org/smartcity-std#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{iri}> a scs:InformationResource ;
  scs:resourceCode "{code}" ;
  {title_line}
  dct:description "{description}"@zh ;
  dct:publisher <{BIG_DATA_BUREAU}> ;
  scs:resourceClass <{CODE_LISTS}/resource-class/1> ;
  scs:format <{CODE_LISTS}/format/database> ;
  scs:sharingType <{CODE_LISTS}/sharing-type/unconditional> ;
  scs:sharingMethod <{CODE_LISTS}/sharing-method/interface> ;
  scs:openness <{CODE_LISTS}/openness/closed> ;
  dct:accrualPeriodicity <{CODE_LISTS}/update-cycle/daily> ;
  dct:issued "2026-01-15"^^xsd:date ;
  {conforms_line}
  scs:dataItem {item_iris} .
"""
    for n, item in enumerate(items, start=1):
        data_type = f"{CODE_LISTS}/data-type/{item.data_type}"
        length = f"scs:length {item.length} ; " if item.length is not None else ""
        text += f"""<{iri}/item/{n}> a scs:DataItem ; scs:itemName "{item.name}"@zh ;
  scs:itemCode "{item.code}" ; scs:dataType <{data_type}> ; {length}scs:position {n} .
"""
    return text.encode()
