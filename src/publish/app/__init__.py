"""The application: the `publish` command (cli), the build orchestration (build), the live
preview, project scaffolding, the visual references and the benchmarks. The only layer
that prints; everything below returns data and notes."""
