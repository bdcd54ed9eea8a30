"""The services (access, asking, documents), built by `wiring.build_services`, in feature
packages: answer/, versions/, identity/, records/, operations/, evaluation/ and llm/."""
