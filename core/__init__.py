"""The bottom layer every package may import: the error tree and the settings model."""
