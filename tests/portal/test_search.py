from __future__ import annotations

import pytest

from onestop.portal.search import catalogue_search, grams, normalise, query_terms


def test_normalise_drops_spaces_punctuation_and_full_width():
    assert normalise(" 开 饭店！ＡＢ ") == "开饭店ab"


def test_bigrams_of_chinese_text():
    assert grams("开饭店") == {"开饭", "饭店"}
    assert grams("失") == {"失"}


def test_synonyms_expand_everyday_words():
    assert "餐饮" in query_terms("我想开个餐馆")
    assert "失业登记" in query_terms("没工作了怎么办")
    assert "开办企业" in query_terms("注册公司")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("开饭店", "我要开办企业"),
        ("失业", "我要办理失业登记"),
        ("社保卡", "我要办理社保卡"),
        ("我想开个餐馆", "我要开办企业"),
        ("没工作了", "我要办理失业登记"),
        ("医保卡丢了", "我要办理社保卡"),
        ("二手房过户", "不动产登记（二手房转移登记及抵押登记）"),
    ],
)
def test_everyday_queries_find_the_right_package_first(demo, query, expected):
    hits = catalogue_search(query)
    assert hits, query
    assert hits[0].name == expected
    assert hits[0].kind == "package"


def test_nonsense_finds_nothing(demo):
    assert catalogue_search("量子计算机") == []
    assert catalogue_search("   ") == []
