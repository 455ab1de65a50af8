"""Search over the published catalogue that understands Chinese queries.

Chinese has no spaces, so text is compared as sets of character bigrams (一 character
n-grams of length two): "开饭店" and "我要开办饭店" share 开/饭店 bigrams even though neither
contains the other. Before that a query is normalised (full-width → half-width, lower case,
punctuation and filler words such as 我要/怎么/办理 removed) and expanded with the synonym
table below, so "开餐馆" also looks for 餐饮 and "没工作" for 失业登记. Each package is scored
over its name, keywords (synonyms stored on the package), summary, life event, item names
and material names, with weights; results are ranked by score.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, prefetch_related_objects

from onestop.catalog.models import PackageVersion, ServiceItemVersion
from onestop.catalog.selectors import (
    item_search_queryset,
    item_versions_current_for,
    package_versions_published,
)

# Everyday words → the words the catalogue uses. One place; extend it as questions come in.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "饭店": ("餐饮", "食品经营", "开办企业"),
    "餐馆": ("餐饮", "食品经营", "开办企业"),
    "饭馆": ("餐饮", "食品经营", "开办企业"),
    "餐厅": ("餐饮", "食品经营", "开办企业"),
    "小吃": ("餐饮", "食品经营", "开办企业"),
    "奶茶": ("餐饮", "食品经营", "开办企业"),
    "超市": ("食品销售", "开办企业"),
    "小卖部": ("食品销售", "开办企业"),
    "开店": ("开办企业",),
    "开公司": ("开办企业",),
    "办企业": ("开办企业",),
    "注册公司": ("开办企业",),
    "成立公司": ("开办企业",),
    "办执照": ("营业执照", "开办企业"),
    "营业执照": ("开办企业", "设立登记"),
    "创业": ("开办企业", "就业创业"),
    "失业": ("失业登记", "失业保险金"),
    "没工作": ("失业登记", "失业保险金"),
    "下岗": ("失业登记",),
    "失业金": ("失业保险金",),
    "社保卡": ("社会保障卡",),
    "医保卡": ("社会保障卡", "医保"),
    "医保": ("医疗保险",),
    "买房": ("不动产", "转移登记"),
    "过户": ("转移登记", "不动产"),
    "房产证": ("不动产权证", "不动产"),
    "按揭": ("抵押登记",),
    "贷款": ("抵押登记",),
    "老人": ("老年", "优待证"),
    "老年证": ("老年人优待证",),
    "生孩子": ("生育服务登记",),
    "准生证": ("生育服务登记",),
    "生小孩": ("生育服务登记",),
    "打工": ("流动人口", "务工"),
    "复工": ("复工复产",),
    "补贴": ("补助", "政策兑现"),
}

# Words that carry no meaning in a query ("我要怎么办理…").
FILLERS = (
    "我要",
    "我想",
    "想要",
    "怎么",
    "如何",
    "怎样",
    "在哪里",
    "在哪",
    "哪里",
    "需要",
    "什么",
    "办理",
    "申请",
    "手续",
    "流程",
    "一下",
    "请问",
)

WEIGHTS = {
    "name": 4.0,
    "keywords": 4.0,
    "life_event": 2.0,
    "items": 2.0,
    "summary": 1.0,
    "materials": 0.5,
}

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Half-width, lower case, no punctuation or spaces."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _PUNCT.sub("", text)


def _strip_fillers(text: str) -> str:
    for filler in FILLERS:
        text = text.replace(filler, "")
    return text


def grams(text: str) -> set[str]:
    """Character bigrams of a normalised text; a single character stands for itself."""
    text = normalise(text)
    if len(text) == 1:
        return {text}
    return {text[i : i + 2] for i in range(len(text) - 1)}


def query_terms(query: str) -> list[str]:
    """The normalised query (fillers removed) followed by its synonym expansions."""
    base = normalise(query)
    stripped = _strip_fillers(base) or base
    terms = [stripped] if stripped else []
    for phrase, expansions in SYNONYMS.items():
        if phrase in base:
            terms.extend(e for e in expansions if e not in terms)
    return terms


@dataclass
class Hit:
    """A scored search result: a package, or a single item."""

    score: float
    name: str
    summary: str
    url_name: str
    code: str
    kind: str  # "package" | "item"
    matched: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Doc:
    fields: dict[str, str]


def _score(terms: list[str], doc: _Doc) -> tuple[float, list[str]]:
    if not terms:
        return 0.0, []
    score = 0.0
    matched: list[str] = []
    for index, term in enumerate(terms):
        # The user's own words count fully; expansions count a little less.
        factor = 1.0 if index == 0 else 0.7
        q = grams(term)
        if not q:
            continue
        for name, text in doc.fields.items():
            norm = normalise(text)
            if not norm:
                continue
            overlap = len(q & grams(norm)) / len(q)
            bonus = 1.0 if term in norm else 0.0
            gained = WEIGHTS[name] * factor * (overlap + bonus)
            if gained:
                score += gained
                if name not in matched:
                    matched.append(name)
    return score, matched


def _package_docs() -> list[tuple[PackageVersion, _Doc]]:
    versions = list(package_versions_published().prefetch_related("package_items__item"))
    items = [pi.item for pv in versions for pi in pv.package_items.all()]
    current = item_versions_current_for(items)
    material_names: dict[int, list[str]] = {}
    if current:
        prefetch_related_objects(list(current.values()), "materials")
        for item_id, version in current.items():
            material_names[item_id] = [m.name for m in version.materials.all()]
    docs = []
    for pv in versions:
        package_items = list(pv.package_items.all())
        docs.append(
            (
                pv,
                _Doc(
                    {
                        "name": pv.name,
                        "keywords": pv.keywords,
                        "life_event": pv.life_event,
                        "summary": pv.summary,
                        "items": " ".join(
                            (current[pi.item_id].name if pi.item_id in current else pi.item.name)
                            for pi in package_items
                        ),
                        "materials": " ".join(
                            n for pi in package_items for n in material_names.get(pi.item_id, [])
                        ),
                    }
                ),
            )
        )
    return docs


def _item_docs() -> list[tuple[ServiceItemVersion, _Doc]]:
    versions = item_search_queryset("").select_related("item", "department")
    versions = versions.prefetch_related(Prefetch("materials"))
    return [
        (
            v,
            _Doc(
                {
                    "name": v.name,
                    "keywords": "",
                    "life_event": "",
                    "summary": v.conditions,
                    "items": v.department.name,
                    "materials": " ".join(m.name for m in v.materials.all()),
                }
            ),
        )
        for v in versions
    ]


def _ranked(hits: Iterable[Hit], minimum: float) -> list[Hit]:
    kept = [h for h in hits if h.score >= minimum]
    return sorted(kept, key=lambda h: (-h.score, h.kind != "package", h.code))


def catalogue_search(query: str, *, limit: int = 20) -> list[Hit]:
    """Published packages (and single items) ranked by how well they match ``query``."""
    terms = query_terms(query)
    if not terms:
        return []
    hits: list[Hit] = []
    for pv, doc in _package_docs():
        score, matched = _score(terms, doc)
        hits.append(
            Hit(score, pv.name, pv.summary, "portal:package", pv.package.code, "package", matched)
        )
    for iv, doc in _item_docs():
        score, matched = _score(terms, doc)
        # Items rank below packages of equal relevance: a package is the whole "one thing".
        hits.append(
            Hit(
                score * 0.5,
                iv.name,
                iv.department.name,
                "portal:item",
                iv.item.basic_code,
                "item",
                matched,
            )
        )
    if not hits:
        return []
    best = max(h.score for h in hits)
    # Weak partial overlaps (one shared bigram in a long summary) are noise, not answers.
    return _ranked(hits, max(1.5, best * 0.25))[:limit]
