"""Report text: Markdown written by the group, turned into HTML that is safe everywhere it goes.

The text of a report comes from many hands: participants' notes quoted in the draft, their
suggestions, comments, captions, and the facilitator's editing. All of it is treated as
hostile. `to_html()` renders it with `markdown`, then `nh3` keeps only a small list of
tags and attributes (no script, style, event handler, iframe, form or `javascript:` URL),
and only then are the pictures' addresses put in, by this code, never by the text.

Pictures are written as `![caption](picture:ID)`: ID is a drawing's or photo's item id. A
picture that is not one of the report's (a hidden or taken-back item, another workshop's)
is dropped; an image from anywhere else is replaced by its alt text, so a report never
loads anything from outside (the laptop is offline, and a remote image would tell its
owner who read the report). An empty alt text becomes the picture's caption; a picture
alone in its paragraph becomes a figure with the caption below it.

Headings inside a section start at level 3 (the report's title is h1, a section's h2),
so the exported document's headings are in order whatever the text says.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import markdown
import nh3
from markupsafe import Markup, escape
from sqlalchemy import select

from .extensions import db
from .models import Item, ItemKind, Workshop

#: How a section's text names a picture: `![caption](picture:12)`.
PICTURE_SCHEME = "picture"
#: The heading level a `#` in a section's text becomes.
FIRST_HEADING_LEVEL = 3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "h3", "h4", "h5", "h6",
                "a", "img", "figure", "figcaption", "code", "pre", "hr", "del", "ins", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", PICTURE_SCHEME}

_PICTURE_SRC = re.compile(r'src="picture:(\d+)"')


@dataclass(frozen=True)
class Picture:
    """A drawing or photo a report may show: its item id, caption and stored file."""

    id: int
    caption: str
    image_name: str
    thumb_name: str | None
    width: int | None
    height: int | None
    kind: str


def pictures_of(workshop: Workshop) -> dict[int, Picture]:
    """The workshop's pictures that a report may show: not hidden, not taken back."""
    rows = db.session.scalars(select(Item).where(
        Item.workshop_id == workshop.id, Item.kind.in_((ItemKind.DRAWING, ItemKind.PHOTO)),
        Item.image_name.is_not(None), Item.hidden_at.is_(None), Item.withdrawn_at.is_(None)).order_by(Item.id))
    return {item.id: Picture(item.id, item.text or "", item.image_name, item.thumb_name, item.image_width,
                             item.image_height, item.kind.value) for item in rows}


def picture_reference(picture: Picture | Item) -> str:
    """The Markdown that shows `picture` with its caption (taken from the picture itself)."""
    return f"![]({PICTURE_SCHEME}:{picture.id})"


def to_html(text: str, pictures: Mapping[int, Picture], picture_src: Callable[[Picture], str]) -> Markup:
    """Render a section's Markdown `text` as sanitised HTML.

    `pictures` are the pictures the text may show (see `pictures_of`); `picture_src` gives
    the address of one in the place the HTML goes (a URL on the server, a `data:` URI in
    the exported file, a file name in the zipped Markdown).
    """
    html = markdown.markdown(text or "", extensions=[_ReportExtension(pictures)], output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=ALLOWED_URL_SCHEMES,
                      link_rel="noopener noreferrer nofollow", strip_comments=True)

    def address(match: re.Match) -> str:
        picture = pictures.get(int(match.group(1)))
        # A picture: link the sanitiser let through that the treeprocessor did not make
        # (a link's href, say) has no picture behind it: it goes nowhere.
        return f'src="{escape(picture_src(picture))}"' if picture is not None else 'src=""'

    return Markup(_PICTURE_SRC.sub(address, clean))


def referenced_pictures(text: str) -> list[int]:
    """The picture ids `text` refers to, in order, without repeats."""
    return list(dict.fromkeys(int(found) for found in re.findall(rf"\({PICTURE_SCHEME}:(\d+)\)", text or "")))


def plain_text(text: str) -> str:
    """The words of a section's Markdown without its markup (for reading aloud and diffs)."""
    html = markdown.markdown(text or "", output_format="html")
    return " ".join(nh3.clean(html, tags=set()).split())


class _ReportExtension(markdown.Extension):
    def __init__(self, pictures: Mapping[int, Picture]):
        super().__init__()
        self.pictures = pictures

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Raw HTML in the text is shown as text, not parsed: nobody writes HTML on purpose here.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_PictureAndHeadingTreeprocessor(md, self.pictures), "report", 5)


class _PictureAndHeadingTreeprocessor(markdown.treeprocessors.Treeprocessor):
    def __init__(self, md, pictures: Mapping[int, Picture]):
        super().__init__(md)
        self.pictures = pictures

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                    child.tag = f"h{min(6, int(child.tag[1]) + FIRST_HEADING_LEVEL - 1)}"
                elif child.tag == "img":
                    self._picture(parent, child)
                elif child.tag == "a" and child.get("href", "").startswith(f"{PICTURE_SCHEME}:"):
                    del child.attrib["href"]  # a picture is shown, not linked to
        for paragraph in list(root.iter("p")):
            self._figure(paragraph)
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag == "p" and not len(child) and not (child.text or "").strip():
                    _replace_with_text(parent, child, "")  # what was only a dropped picture

    def _picture(self, parent: etree.Element, image: etree.Element) -> None:
        src = image.get("src", "")
        picture = self._known(src)
        if picture is not None:
            image.set("src", f"{PICTURE_SCHEME}:{picture.id}")
            image.set("alt", image.get("alt") or picture.caption)
            if picture.width and picture.height:
                image.set("width", str(picture.width))
                image.set("height", str(picture.height))
            image.attrib.pop("title", None)
            return
        # Not one of the report's pictures: what it said stays, as text, and nothing loads.
        words = "" if src.startswith(f"{PICTURE_SCHEME}:") else image.get("alt", "")
        _replace_with_text(parent, image, words)

    def _known(self, src: str) -> Picture | None:
        scheme, _, number = src.partition(":")
        if scheme != PICTURE_SCHEME or not number.isdigit():
            return None
        return self.pictures.get(int(number))

    def _figure(self, paragraph: etree.Element) -> None:
        children = list(paragraph)
        if len(children) != 1 or children[0].tag != "img" or (paragraph.text or "").strip() \
                or (children[0].tail or "").strip():
            return
        image = children[0]
        image.tail = None
        paragraph.tag = "figure"
        paragraph.text = None
        if image.get("alt"):
            caption = etree.SubElement(paragraph, "figcaption")
            caption.text = image.get("alt")


def _replace_with_text(parent: etree.Element, child: etree.Element, words: str) -> None:
    """Remove `child` from `parent`, leaving `words` (and the text after it) in its place."""
    children = list(parent)
    index = children.index(child)
    following = (words or "") + (child.tail or "")
    if index == 0:
        parent.text = (parent.text or "") + following
    else:
        previous = children[index - 1]
        previous.tail = (previous.tail or "") + following
    parent.remove(child)
