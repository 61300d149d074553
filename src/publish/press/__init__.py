"""Print production: turn WeasyPrint's PDF into a file a Japanese print shop accepts.

The PDF writer renders the print HTML with ``@page { size: <trim>; bleed: <bleed> }`` and
colours as ``device-cmyk()``, then calls :func:`finish`. Other entry points:
:func:`blank_pages_needed` / :func:`insert_blank_pages` (binding page counts),
:func:`impose_booklet` (office booklet), :func:`screen_write_options` /
:func:`finish_screen` (screen edition).
"""

from publish.press.errors import PressError, TransparencyError
from publish.press.finish import FinishReport, finish, finish_with_report
from publish.press.imposition import ImpositionError, booklet_order, impose_booklet
from publish.press.pages import blank_page_note, blank_pages_needed, insert_blank_pages, pad_pdf
from publish.press.screen import finish_screen, screen_write_options
from publish.press.settings import (
    DEFAULT_ICC_PROFILE,
    MM,
    TRIM_SIZES,
    PrintSettings,
    SettingsError,
    parse_trim,
)

__all__ = [
    'PrintSettings', 'SettingsError', 'TRIM_SIZES', 'DEFAULT_ICC_PROFILE', 'MM', 'parse_trim',
    'finish', 'finish_with_report', 'FinishReport', 'PressError', 'TransparencyError',
    'blank_pages_needed', 'blank_page_note', 'insert_blank_pages', 'pad_pdf',
    'impose_booklet', 'booklet_order', 'ImpositionError',
    'screen_write_options', 'finish_screen',
]
