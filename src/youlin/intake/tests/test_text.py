from youlin.intake.catalogue import shipped_entries, training_dictionary
from youlin.intake.data import name_terms
from youlin.intake.text import MAX_CHARS, Segmenter, features, has_content, normalise


def test_the_domain_dictionary_keeps_community_words_whole():
    plain = Segmenter([])
    domain = Segmenter(training_dictionary())
    text = "楼上飞线充电，楼道堆物也没人管"
    assert "飞线充电" not in plain.cut(text)
    assert "飞线充电" in domain.cut(text)
    assert "楼道堆物" in domain.cut(text)


def test_domain_words_come_from_the_dictionary_file_and_the_term_table():
    words = set(training_dictionary())
    assert "楼门长" in words  # data/dictionary.txt
    assert "下水道堵了" in words  # a term of categories.tsv
    assert "小区地砖松动" in words  # a category name


def test_normalise_converts_traditional_and_full_width_characters():
    assert normalise("樓道裡堆滿了雜物") == "楼道里堆满了杂物"
    assert normalise("ＡＢＣ　１２３") == "abc 123"
    assert normalise(None) == ""
    assert len(normalise("井" * 10000)) == MAX_CHARS


def test_punctuation_and_emoji_have_no_content():
    assert not has_content(normalise("！！？？。。……😭👍"))
    assert has_content(normalise("路灯💡坏了"))


def test_features_are_words_and_character_ngrams():
    seg = Segmenter(["路灯"])
    feats = features(normalise("路灯不亮！"), seg)
    assert "w:路灯" in feats
    assert {"c:路", "c:路灯", "c:路灯不"} <= set(feats)
    assert not any(f.startswith("c:") and "!" in f for f in feats)


def test_a_category_name_gives_its_search_terms():
    assert name_terms("供水井盖异常") == ["供水井盖"]
    assert set(name_terms("垃圾间（楼）异常")) == {"垃圾间", "垃圾楼"}
    assert "焚烧垃圾" in name_terms("焚烧垃圾、树叶")


def test_every_shipped_category_has_terms():
    assert all(entry.terms for entry in shipped_entries())
