"""Renderers: sheets (report, history, periods, targets), forms, letters — one house style."""
