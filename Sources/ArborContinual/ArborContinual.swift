// ArborContinual: online learning on hierarchical label expansion (streams, learners, memory, metrics).
// See docs/continual.md.
