"""Markdown documentation renders richly and never lets script through."""

from html.parser import HTMLParser

import pytest

from apps.core.markdown import render_markdown


class ElementCollector(HTMLParser):
    """The real elements and attributes of a fragment (escaped text is not an element)."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    collector = ElementCollector()
    collector.feed(html)
    return collector.elements


ATTACKS = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<img src=x onerror=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_is_neutralised(attack):
    found = elements(render_markdown(f"Before\n\n{attack}\n\nAfter"))
    assert {tag for tag, _ in found} <= {"p", "a"}
    for _tag, attrs in found:
        assert not any(name.startswith("on") or name == "style" for name in attrs)
        for url in (attrs.get("href"), attrs.get("src")):
            assert url is None or url.lower().strip().startswith(("http:", "https:", "mailto:", "/", "#"))


def test_documentation_features_survive():
    html = render_markdown(
        "# Title\n\nSome **bold** and `code`.\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n- item\n\n```sql\nselect 1\n```\n\n[docs](https://example.com/x)"
    )
    assert "<h3>Title</h3>" in html  # below the page's own h1 and section h2
    assert (
        "<strong>bold</strong>" in html
        and "<code>code</code>" in html
        and "<table>" in html
        and "<li>item</li>" in html
    )
    assert '<code class="language-sql">select 1' in html
    assert '<a href="https://example.com/x" rel="noopener noreferrer nofollow">docs</a>' in html


def test_empty_text_renders_nothing():
    assert render_markdown("") == "" and render_markdown(None) == ""
