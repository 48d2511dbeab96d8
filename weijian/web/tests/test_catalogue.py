"""Catalogue: indicators by category with the formula written in element names; search."""


def test_formula_is_written_in_element_names(client, users, reporting):
    client.force_login(users["inst"])
    page = client.get("/catalogue/").content.decode()
    assert "基本公共卫生" in page and "高血压患者规范管理率" in page
    assert "高血压患者规范管理人数" in page and "高血压患者管理人数" in page
    assert "规范管理人数占管理人数的比例" in page


def test_search_narrows_indicators_and_elements(client, users, reporting):
    from weijian import testing

    testing.indicator("BED_RATE", "每千人口床位数", "BEDS * 1000", "POP", category="资源配置")
    client.force_login(users["inst"])
    page = client.get("/catalogue/?q=床位").content.decode()
    assert "每千人口床位数" in page and "高血压患者规范管理率" not in page
