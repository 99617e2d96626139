"""Pure logic, no I/O, importing nothing else of Parley: errors, ids, paths, text, windows, pages."""
