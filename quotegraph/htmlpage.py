"""An HTML page to a Document: the article's text and metadata, through trafilatura.

Navigation, adverts and comments are left out; the text keeps one paragraph a line, which is what the
pipeline takes a paragraph to be. A page with no article in it (an index page, a login form) is a
Failure, not an empty document.
"""

from __future__ import annotations

from .documents import Document, Failure

# Shorter than this, what trafilatura finds is a caption or a menu, not an article.
MIN_ARTICLE_WORDS = 40


def from_html(html: str, where: str, doc_id: str, published: str | None = None) -> Document | Failure:
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        return Failure(where, "HTML needs trafilatura: pip install trafilatura lxml_html_clean")
    try:
        page = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                           include_tables=False)
    except Exception as e:  # trafilatura raises a variety of parser errors on broken pages
        return Failure(where, f"is not an HTML page quotegraph can read ({type(e).__name__})")
    text = (getattr(page, "text", None) or "").strip() if page is not None else ""
    if len(text.split()) < MIN_ARTICLE_WORDS:
        return Failure(where, "has no article text (an index, navigation or empty page?)")
    return Document(
        id=doc_id,
        text=text,
        published=page.date or published,
        title=page.title or None,
        url=page.url or None,
        author=page.author or None,
        source=page.sitename or None,
    )
