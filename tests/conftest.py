"""Test set-up. xlwings' Office.js runtime (the one xlwings Lite and xlwings Server use)
needs these two variables before xlwings is first imported; set them for the whole run."""
import os

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
