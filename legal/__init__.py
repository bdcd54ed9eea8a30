"""German legal language, written once: figures with units, what a question asks for,
sentences and Absätze. Pure functions without I/O; every layer above may call them."""
