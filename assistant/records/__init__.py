"""What the product keeps on record: the hash-chained audit and staff feedback."""
