"""kpi4s add-in: the macros behind the buttons, document generation and the command line."""
__version__ = "0.1.0"
