// ArborOrganize: hierarchical clustering of document collections into labelled topic trees.
//
// Collections are read by `CollectionReader` (JSONL, BibTeX, RIS, CSL-JSON), embedded with any
// `ArborText` encoder, clustered into a tree, named, written as an Arbor taxonomy and viewed as HTML.
// See docs/organize.md.
