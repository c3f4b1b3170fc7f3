"""The workbook border: sheet schemas, reading, validation into problems, atomic saving."""
