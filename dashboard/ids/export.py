"""Pattern-matching ids of a table's CSV export: one per table, keyed by its name."""


def button(table: str) -> dict:
    return {"type": "csv-button", "table": table}


def download(table: str) -> dict:
    return {"type": "csv-download", "table": table}


def data(table: str) -> dict:
    return {"type": "csv-data", "table": table}
