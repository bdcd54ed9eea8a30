"""The services (access, asking, documents), built by `wiring.build_services`, and what answering
needs: prompting, grounding, LLM backends, evaluation, llama-index interop."""
