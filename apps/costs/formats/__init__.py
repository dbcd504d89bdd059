"""Readers for billing exports. Each turns a text stream into ``BillingLine`` records, one at a
time (bounded memory), and raises ``BillingFileError`` with the line at fault."""

from apps.costs.formats.common import BillingFileError, BillingLine
from apps.costs.formats.cur import read_cur
from apps.costs.formats.focus import read_focus

READERS = {"focus": read_focus, "cur": read_cur}

__all__ = ["READERS", "BillingFileError", "BillingLine", "read_cur", "read_focus"]
