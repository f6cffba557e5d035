"""Turn PDF, DOCX, HTML, Markdown, plain-text and JSON Lines files into segments."""

from .errors import UnreadableDocument, UnsupportedFileType
from .language import detect_language
from .readers import SUPPORTED, read_document
from .segments import Block, Document, Problem, Segment, segment_blocks

__all__ = [
    "SUPPORTED",
    "Block",
    "Document",
    "Problem",
    "Segment",
    "UnreadableDocument",
    "UnsupportedFileType",
    "detect_language",
    "read_document",
    "segment_blocks",
]
