"""A Word document's own properties (File → Info) set from the report, none left from python-docx's template:
title, author and last editor (the issuer), created and modified now, language; the application named as khuyenhoc."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from khuyenhoc.safetext import truncated, xml_safe

if TYPE_CHECKING:
    from docx.document import Document as DocumentType

CORE_LIMIT = 255  # python-docx refuses longer core properties; the body carries the whole text
LANGUAGE_TAGS = {"vi": "vi-VN", "en": "en-GB"}
APPLICATION = "khuyenhoc"
_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>{application}</Application><DocSecurity>0</DocSecurity></Properties>"
)


def core_text(value: str) -> str:
    """``value`` as a core property can hold it: one line, no characters XML refuses, at most 255 characters."""
    return truncated(" ".join(xml_safe(value).split()), CORE_LIMIT)


def set_properties(document: DocumentType, title: str, issuer: str, lang: str, when: datetime | None = None) -> None:
    """Fill the properties of ``document`` from the report (``when`` defaults to now, in UTC)."""
    now = (when or datetime.now(UTC)).replace(microsecond=0)
    properties = document.core_properties
    properties.title = core_text(title)
    properties.author = properties.last_modified_by = core_text(issuer)
    properties.comments = properties.keywords = properties.subject = properties.category = ""
    properties.created = properties.modified = now
    properties.revision = 1
    tag = LANGUAGE_TAGS.get(lang, lang)
    properties.language = tag
    _proofing_language(document, tag)
    for part in document.part.package.parts:  # the template's "Microsoft Macintosh Word", page and word counts
        if str(part.partname) == "/docProps/app.xml":
            part._blob = _APP_XML.format(application=APPLICATION).encode("utf-8")


def _proofing_language(document: DocumentType, tag: str) -> None:
    """The language Word checks the text in, for every style (the document defaults)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    run = defaults.find(qn("w:rPrDefault"))
    properties = run.find(qn("w:rPr")) if run is not None else None
    if properties is None:
        return
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), tag)
