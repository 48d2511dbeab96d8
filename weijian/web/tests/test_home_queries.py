"""The home page on the demo city answers in a bounded number of queries for every demo role
(it took about 300 before the figures were fetched in grouped passes)."""

from weijian.accounts.models import User
from weijian.demo.loader import load_demo


def test_home_takes_at_most_30_queries_for_every_demo_role(client, db, django_assert_max_num_queries):
    load_demo()
    for username in ("admin", "leader", "dept", "county", "inst"):
        client.force_login(User.objects.get(username=username))
        with django_assert_max_num_queries(30):
            response = client.get("/")
        assert response.status_code == 200
        page = response.content.decode()
        assert "同比" in page, username  # the cards are there, with their change
