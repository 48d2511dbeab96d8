"""English as a translation of the Chinese interface: the language switcher in the footer
(POST /i18n/setlang/) turns the pages into English and back, from the compiled catalogue in
weijian/locale."""

NAV_ZH = ["首页", "工作计划", "数据填报", "数据导入", "数据分析", "指标目录"]
NAV_EN = ["Home", "Work plan", "Data entry", "Import", "Analysis", "Catalogue"]


def _switch(client, language: str, next_url: str = "/"):
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


def _nav(page: str) -> str:
    return page[page.index('<nav class="mainnav">') : page.index("</nav>")]


def test_chinese_is_the_default_interface(client, users, reporting):
    client.force_login(users["leader"])
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    nav = _nav(page)
    for label in NAV_ZH:
        assert label in nav
    assert "Work plan" not in nav
    # Each language is offered under its own name, so a reader of either can find it.
    assert ">English</option>" in page and ">简体中文</option>" in page and "英语" not in page


def test_leader_switching_to_english_sees_home_and_nav_in_english(client, users, reporting):
    client.force_login(users["leader"])
    response = _switch(client, "en")
    assert response.status_code == 302 and response["Location"] == "/"

    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    nav = _nav(page)
    for label in NAV_EN:
        assert label in nav
    for label in NAV_ZH:
        assert label not in nav
    # The page itself, the role in the header and the 同比 badge are translated too.
    assert "Key indicators" in page and "(latest complete year)" in page
    assert "Commission leader" in page and "委领导" not in page
    assert "Year on year" in page and "Log out" in page
    # Data stays as entered: unit and indicator names are not translated.
    assert "示例市" in page and "高血压患者规范管理率" in page


def test_switching_back_to_chinese_restores_the_chinese_interface(client, users, reporting):
    client.force_login(users["leader"])
    _switch(client, "en")
    assert "Work plan" in _nav(client.get("/").content.decode())

    _switch(client, "zh-hans")
    page = client.get("/").content.decode()
    nav = _nav(page)
    for label in NAV_ZH:
        assert label in nav
    assert "Work plan" not in nav and "Home" not in nav
    assert "重点指标" in page and "Key indicators" not in page


def test_english_messages_carry_their_placeholders(client, users, city):
    """A message with placeholders comes out in English with the values filled in."""
    client.force_login(users["admin"])
    _switch(client, "en")
    response = client.get("/orgs/io/?export=pdf", follow=True)
    assert "Export format “pdf” is not supported; please choose Excel or CSV" in response.content.decode()


def test_english_login_page_for_an_anonymous_visitor(client, db):
    _switch(client, "en", "/accounts/login/")
    page = client.get("/accounts/login/").content.decode()
    assert "Username" in page and "Password" in page
    assert "用户名" not in page


def test_a_browser_asking_for_english_still_gets_chinese_until_the_user_switches(client, users, reporting):
    client.force_login(users["leader"])
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in page and "工作计划" in _nav(page)
    _switch(client, "en")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in page
