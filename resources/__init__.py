"""Bundled data files: fonts, translations, icons. Located through ``app.resources``."""
