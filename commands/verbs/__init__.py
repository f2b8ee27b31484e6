"""One module per /cutover verb; `commands/table.py` lists them."""
