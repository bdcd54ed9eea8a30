"""Browser app (Gradio). Receives ready-made services; knows nothing about backends."""
