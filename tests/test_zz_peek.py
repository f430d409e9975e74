import re
from django.test import Client
from tests.test_accounts import verified_user, PASSWORD
def test_peek(canonical, mailoutbox):
    u = verified_user("p@example.org")
    c = Client()
    r = c.post("/accounts/login/?next=/accounts/releases/", {"login": "p@example.org", "password": PASSWORD})
    print(r.status_code, r["Location"])
    for url in ["/accounts/email/", "/accounts/password/change/", "/accounts/logout/", "/accounts/releases/"]:
        r = c.get(url); h = r.content.decode()
        print(url, r.status_code, h.count('class="site-nav"'), re.search(r"<title>(.*?)</title>", h, re.S).group(1).strip(), re.findall(r"<script[^>]*>|style=\"", h))
    r = c.post("/accounts/password/reset/", {"email": "p@example.org"})
    print(mailoutbox[-1].subject); print(mailoutbox[-1].body)
    for i in range(32):
        r = Client().post("/accounts/login/", {"login": "nobody%d@example.org" % i, "password": "x"})
    print(r.status_code, r.content.decode()[:600])
