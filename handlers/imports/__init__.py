"""Master data from the files ops people already have (Excel or CSV).

One kind per module (products, partners, users, prices, stock, customers,
plans); `reader` reads files, `cells` turns cells into values, `runner` runs
an import (validate every row, report bad ones by spreadsheet row number,
write the good ones idempotently in batches, dry runs, one audit event),
`templates` writes the blank files to fill in. The command line is in
bot/cli_imports.py.
"""
from handlers.imports.dict_rows import DictRows
from handlers.imports.problems import FileProblem, RowProblem
from handlers.imports.reader import Table, open_table
from handlers.imports.registry import KINDS, kind_named
from handlers.imports.report import ImportReport
from handlers.imports.runner import DEFAULT_BATCH, run_import

__all__ = [
           "DEFAULT_BATCH",
           "KINDS",
           "DictRows",
           "FileProblem",
           "ImportReport",
           "RowProblem",
           "Table",
           "kind_named",
           "open_table",
           "run_import",
]
