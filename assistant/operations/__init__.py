"""Keeping collections in order: documents, folder sync, folder watch and backup."""
