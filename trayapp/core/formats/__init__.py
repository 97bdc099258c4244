"""MOISCHETA/1 registry files: records, names, reading and writing (spec/formats.md)."""

from trayapp.core.formats.moischeta import (
    debt_line,
    debt_line_prefix,
    debt_lines,
    decode,
    encode,
    make_ack,
    parse,
    render,
    render_header,
    render_row,
    row_amount,
)
from trayapp.core.formats.records import (
    CODINGS,
    INCOMING_TYPES,
    OUTGOING_TYPES,
    AckRow,
    DebtRow,
    FileName,
    Header,
    MeterRow,
    PaymentRow,
    ReadingRow,
    Registry,
    Row,
    ServiceRow,
    ack_name,
    make_name,
    parse_name,
)

__all__ = [
    "CODINGS", "INCOMING_TYPES", "OUTGOING_TYPES", "AckRow", "DebtRow", "FileName", "Header",
    "MeterRow", "PaymentRow", "ReadingRow", "Registry", "Row", "ServiceRow", "ack_name",
    "debt_line", "debt_line_prefix", "debt_lines", "decode", "encode", "make_ack", "make_name", "parse", "parse_name", "render",
    "render_header", "render_row", "row_amount",
]  # fmt: skip
